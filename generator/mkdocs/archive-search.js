/*
 * Search worker for Material for MkDocs, backed by Pagefind.
 *
 * Material's search box and result list talk to a web worker whose URL comes from the
 * page configuration (partials/archive-config.html in generator/mkdocs/theme/archive).
 * Material's own worker downloads one index of the whole site before it can answer; this
 * one asks Pagefind, which fetches only the index chunks and result fragments a query
 * needs.
 *
 * The worker protocol is private to Material: its 9.0.0 changelog dropped support for
 * custom search workers. tests/test_theme.py checks the message numbers and result
 * fields below against the installed Material, and the browser tests search through it.
 *
 * The digest-archive-search plugin writes this file into the site with ARCHIVE_PATHS
 * (the site root from this file, the Pagefind folder and the list of index parts) set
 * from the URL table, generator/site/urls.py.
 *
 * Message protocol (Material 9.x, integrations/search/worker/message):
 *   in:  {type: 0 SETUP, data}      -> out: {type: 1 READY}
 *   in:  {type: 2 QUERY, data: q}   -> out: {type: 3 RESULT, data: {items, total}}
 * Each item is a list of documents for one page; Material inserts `title` and `text`
 * as HTML, so both are escaped here and only <mark> is added.
 */
"use strict";

const SETUP = 0;
const READY = 1;
const QUERY = 2;
const RESULT = 3;

// Enough to fill Material's list; each result costs one small fragment download.
const MAX_RESULTS = 20;

// Material sends a query on every keystroke. A query still waits this long for a newer
// one before it runs, so a burst of typing costs one search, not one per letter.
const QUIET_MS = 80;

const siteRoot = new URL(ARCHIVE_PATHS.root, self.location.href);

let pagefindReady = null;
let latestQuery = 0;

function loadPagefind() {
  if (!pagefindReady) {
    pagefindReady = (async () => {
      const pagefind = await import(new URL(`${ARCHIVE_PATHS.index}pagefind.js`, siteRoot).href);
      await pagefind.options({
        basePath: new URL(ARCHIVE_PATHS.index, siteRoot).pathname,
        baseUrl: siteRoot.pathname,
        excerptLength: 36,
      });
      // A large archive is indexed in parts (see generator/mkdocs/search.py); the first
      // part lists the others, searched together with it.
      const response = await fetch(new URL(ARCHIVE_PATHS.parts, siteRoot));
      const parts = response.ok ? await response.json() : [];
      for (const part of parts) {
        await pagefind.mergeIndex(new URL(part, siteRoot).pathname, { baseUrl: siteRoot.pathname });
      }
      await pagefind.init();
      return pagefind;
    })();
  }
  return pagefindReady;
}

const HTML_ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character]);
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function queryTerms(query) {
  return query.toLowerCase().split(/\s+/).filter((term) => term.length > 0);
}

// Marks the words of an (already escaped) title that start with a query term.
function markTerms(escapedTitle, terms) {
  const words = terms.filter((term) => /\w/.test(term)).map((term) => escapeRegExp(escapeHtml(term)));
  if (words.length === 0) return escapedTitle;
  const pattern = new RegExp(`(^|[^\\w&])(${words.join("|")})`, "giu");
  return escapedTitle.replace(pattern, (_, before, word) => `${before}<mark>${word}</mark>`);
}

// Pagefind's excerpt of a page that matched near its start begins with the page title
// (the h1 is indexed for ranking); Material shows the title above it already.
function withoutLeadingTitle(excerpt, escapedTitle) {
  const plain = excerpt.replace(/<\/?mark>/g, "");
  if (!escapedTitle || !plain.startsWith(escapedTitle)) return excerpt;
  let skip = escapedTitle.length;
  let index = 0;
  let insideMark = false;
  while (skip > 0 && index < excerpt.length) {
    if (excerpt.startsWith("<mark>", index)) {
      insideMark = true;
      index += 6;
    } else if (excerpt.startsWith("</mark>", index)) {
      insideMark = false;
      index += 7;
    } else {
      index += 1;
      skip -= 1;
    }
  }
  let rest = excerpt.slice(index).replace(/^\.?\s*/, "");
  if (insideMark) rest = `<mark>${rest}`;
  return rest || excerpt;
}

// A query that is an arXiv id ("2503.07000", "arXiv:2503.07000v2"): Pagefind splits words
// at the dot, so paper pages also index the id as one word, "arxiv250307000"
// (generator/site/citations.py, arxiv_search_word), which the query is turned into.
const ARXIV_ID = /^(?:arxiv:\s*)?(\d{4})\.(\d{4,5})(?:v\d+)?$/i;

async function search(query) {
  const pagefind = await loadPagefind();
  const id = query.trim().match(ARXIV_ID);
  let response = id ? await pagefind.search(`arxiv${id[1]}${id[2]}`) : null;
  if (!response || !response.results || !response.results.length) response = await pagefind.search(query);
  if (!response || !response.results) return [];
  const top = response.results.slice(0, MAX_RESULTS);
  const pages = await Promise.all(top.map((result) => result.data()));
  const terms = queryTerms(query);
  const matched = Object.fromEntries(terms.map((term) => [term, true]));
  return pages.map((page, index) => [{
    location: page.url,
    title: markTerms(escapeHtml(page.meta.title || page.url), terms),
    // Pagefind's excerpt is already escaped text with <mark> around matches.
    text: withoutLeadingTitle(page.excerpt, escapeHtml(page.meta.title || "")),
    score: top[index].score,
    terms: matched,
  }]);
}

self.addEventListener("message", async (event) => {
  const message = event.data;
  if (message.type === SETUP) {
    try {
      await loadPagefind();
    } catch (error) {
      console.error("Search is unavailable: the Pagefind index could not be loaded.", error);
      return;
    }
    self.postMessage({ type: READY });
  } else if (message.type === QUERY) {
    const id = ++latestQuery;
    const query = String(message.data || "").trim();
    // Fetching the index chunks a query needs starts at once, while the search itself
    // waits for typing to pause: the first query of a large archive, whose chunks are
    // spread over several index parts, then costs one round of downloads, not two.
    if (query) loadPagefind().then((pagefind) => pagefind.preload(query)).catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
    if (id !== latestQuery) return;
    let items = [];
    if (query) {
      try {
        items = await search(query);
      } catch (error) {
        console.error("Search failed for query", query, error);
      }
    }
    // Queries arrive on every keystroke; only the newest one's results are shown.
    if (id === latestQuery) {
      self.postMessage({ type: RESULT, data: { items, total: items.length } });
    }
  }
});
