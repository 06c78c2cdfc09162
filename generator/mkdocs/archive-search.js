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
// The shortest last word whose index chunks are fetched before typing pauses.
const PRELOAD_FROM = 3;

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

// Pagefind's excerpt of a page that matched near its start begins with the page title,
// or its end (the h1 is indexed for ranking); Material shows the title above it already,
// so the excerpt starts after it, with the abstract.
function withoutLeadingTitle(excerpt, escapedTitle) {
  const plain = excerpt.replace(/<\/?mark>/g, "");
  let skip = 0;
  for (let start = 0; start < escapedTitle.length; start += 1) {
    const tail = escapedTitle.slice(start);
    if ((start === 0 || tail.length >= 8) && plain.startsWith(tail)) {
      skip = tail.length;
      break;
    }
  }
  if (!skip) return excerpt;
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

// Filters written into the query, as the search box's filter bar writes them
// (archive-reader.js): topic:"Diffusion models", year:2025, author:"Ada Lovelace". Topic
// and year are Pagefind filters of paper pages; an author is a search for the name's
// words, kept to the pages whose indexed text holds the whole name.
const FILTER = /\b(topic|year|author):(?:"([^"]*)"?|(\S+))/gi;

function parseQuery(query) {
  const filters = {};
  const words = query.replace(FILTER, (_, name, quoted, bare) => {
    const value = (quoted !== undefined ? quoted : bare).trim();
    if (value) filters[name.toLowerCase()] = value;
    return " ";
  }).replace(/\s+/g, " ").trim();
  return { words, filters };
}

// Results whose title names the query's words rank first: a reader searching "pruning
// LLM" wants the papers about pruning LLMs before one whose abstract mentions both. A
// title word names a query word when it is that word or the word with a plain ending
// ("LLMs" names "LLM"; "LLMRec" does not); small words ("the", "of") do not count. A
// title naming every word comes first; for a short query (a few keywords, not a phrase
// copied from an abstract) a title naming more of them comes before one naming fewer.
// Pagefind's order is kept among equals; this many of its top results are compared.
const RERANKED = 30;
const KEYWORDS = 3;
// An author search reads at most this many result fragments to find the name.
const AUTHOR_SCAN = 200;
const ENDINGS = ["", "s", "es", "'s", "ing", "ed", "er", "ers"];
const SMALL_WORDS = new Set(["a", "an", "and", "as", "at", "by", "for", "from", "in", "is", "of", "on", "or", "the", "to", "via", "with"]);

// The share (0 to 1) of the query's words that `title` names.
function titleCoverage(title, terms) {
  const words = title.toLowerCase().split(/[^\p{L}\p{N}']+/u).filter(Boolean);
  const wanted = terms.filter((term) => !SMALL_WORDS.has(term));
  if (!wanted.length) return 0;
  const named = wanted.filter((term) => {
    const parts = term.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
    return parts.length > 0 && parts.every((part) => words.some(
      (word) => word.startsWith(part) && ENDINGS.includes(word.slice(part.length)),
    ));
  });
  return named.length / wanted.length;
}

async function search(query) {
  const pagefind = await loadPagefind();
  const { words, filters } = parseQuery(query);
  const pagefindFilters = {};
  if (filters.topic) pagefindFilters.topic = filters.topic;
  if (filters.year) pagefindFilters.year = filters.year;
  const author = filters.author || "";
  const text = [words, author].filter(Boolean).join(" ");
  const options = { filters: pagefindFilters };
  if (!text && !Object.keys(pagefindFilters).length) return [];
  const id = words.match(ARXIV_ID);
  let response = id ? await pagefind.search(`arxiv${id[1]}${id[2]}`, options) : null;
  if (!response || !response.results || !response.results.length) response = await pagefind.search(text || null, options);
  if (!response || !response.results) return [];
  let results = response.results;
  let pages;
  if (author) {
    const name = author.toLowerCase();
    pages = [];
    const kept = [];
    for (let start = 0; start < Math.min(results.length, AUTHOR_SCAN) && kept.length < MAX_RESULTS; start += MAX_RESULTS) {
      const batch = results.slice(start, start + MAX_RESULTS);
      const loaded = await Promise.all(batch.map((result) => result.data()));
      loaded.forEach((page, index) => {
        if (page.content.toLowerCase().includes(name) && kept.length < MAX_RESULTS) {
          kept.push(batch[index]);
          pages.push(page);
        }
      });
    }
    results = kept;
  } else {
    results = results.slice(0, words ? RERANKED : MAX_RESULTS);
    pages = await Promise.all(results.map((result) => result.data()));
  }
  const terms = queryTerms(words);
  const order = pages.map((page, index) => index);
  if (terms.length) {
    const coverage = pages.map((page) => titleCoverage(page.meta.title || "", terms));
    const keywords = terms.length <= KEYWORDS;
    order.sort((a, b) => (coverage[b] === 1) - (coverage[a] === 1) || (keywords ? coverage[b] - coverage[a] : 0) || a - b);
  }
  const matched = Object.fromEntries(queryTerms(text).map((term) => [term, true]));
  return order.slice(0, MAX_RESULTS).map((index) => {
    const page = pages[index];
    const facts = [page.meta.date, ...((page.filters && page.filters.topic) || [])].filter(Boolean);
    const lead = facts.length ? `<span class="da-result-facts">${facts.map(escapeHtml).join(" · ")}</span> ` : "";
    return [{
      location: page.url,
      title: markTerms(escapeHtml(page.meta.title || page.url), queryTerms(text)),
      // Pagefind's excerpt is already escaped text with <mark> around matches.
      text: lead + withoutLeadingTitle(page.excerpt, escapeHtml(page.meta.title || "")),
      score: results[index].score,
      terms: matched,
    }];
  });
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
    // spread over several index parts, then costs one round of downloads, not two. Not
    // for a last word of one or two letters: as a prefix it spans many chunks of every
    // part, most of them for words the reader is not typing (at 50,000 papers a typed
    // title fetched 1.5 to 2.0 MB with them, 1.5 to 1.65 MB without).
    const lastWord = query.split(/\s+/).pop() || "";
    if (lastWord.length >= PRELOAD_FROM) loadPagefind().then((pagefind) => pagefind.preload(query)).catch(() => {});
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
