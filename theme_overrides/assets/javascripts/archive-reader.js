// The reader's tools on archive pages: copy a citation, sort a day by votes, star papers
// and mark them read, open abstracts in place, highlight and hide papers by keyword or
// topic, follow topics, keyboard keys, and the reading list and /for-you/ pages.
//
// Progressive enhancement: every page is complete without this script. Each control is
// made (or shown) here, so with JavaScript off no button does nothing. What a reader
// keeps (stars, read marks, filters, topics) stays in this browser's localStorage under
// one versioned key per site; anything unreadable there is ignored, never trusted.
// The site paths this script needs, from the URL table (generator/site/urls.py): the
// digest-archive plugin replaces this line (generator/mkdocs/reader.py).
var ARCHIVE_READER_PATHS = null;

(function () {
  "use strict";

  var doc = document;
  var script = doc.currentScript;
  var PATHS = ARCHIVE_READER_PATHS;
  var src = script ? script.src : location.href;
  // The site root: this script's address less its path in the site. One storage key per
  // site, as several sites can share an origin (user.github.io/a/ and /b/).
  var root = PATHS && src.slice(-PATHS.script.length) === PATHS.script
    ? new URL(src.slice(0, -PATHS.script.length)) : new URL("../../", src);
  var KEY = "digest-archive:" + root.pathname;
  var VERSION = 1;
  var SLUG = /^[a-z0-9][a-z0-9-]{0,119}$/;
  var each = function (list, action) { Array.prototype.forEach.call(list, action); };
  var $$ = function (selector, scope) { return (scope || doc).querySelectorAll(selector); };

  // --- What the reader keeps ------------------------------------------------------------

  function blank() {
    return { version: VERSION, stars: {}, read: {}, include: [], exclude: [], follow: [], hide: [], hideRead: false };
  }

  function slugMap(value) {
    var result = {};
    if (value && typeof value === "object" && !Array.isArray(value)) {
      Object.keys(value).forEach(function (slug) {
        var time = value[slug];
        if (SLUG.test(slug) && typeof time === "number" && isFinite(time)) result[slug] = time;
      });
    }
    return result;
  }

  function strings(value, test) {
    return Array.isArray(value) ? value.filter(function (item) {
      return typeof item === "string" && item.length <= 120 && (!test || test.test(item));
    }).slice(0, 200) : [];
  }

  // What localStorage holds, checked field by field: garbage gives the defaults.
  function clean(raw) {
    var state = blank();
    if (!raw || typeof raw !== "object" || raw.version !== VERSION) return state;
    state.stars = slugMap(raw.stars);
    state.read = slugMap(raw.read);
    state.include = strings(raw.include);
    state.exclude = strings(raw.exclude);
    state.follow = strings(raw.follow, SLUG);
    state.hide = strings(raw.hide, SLUG);
    state.hideRead = raw.hideRead === true;
    return state;
  }

  function load() {
    try {
      return clean(JSON.parse(localStorage.getItem(KEY)));
    } catch (error) {
      return blank();
    }
  }

  var state = load();
  var listeners = [];

  function save() {
    try {
      localStorage.setItem(KEY, JSON.stringify(state));
    } catch (error) {
      say("Not saved: this browser's storage is full or switched off.");
    }
    listeners.forEach(function (listener) { listener(); });
  }

  // Another tab changed what is kept.
  window.addEventListener("storage", function (event) {
    if (event.key === KEY) {
      state = load();
      listeners.forEach(function (listener) { listener(); });
    }
  });

  var status = null;
  function say(message) {
    if (!status) {
      status = element("p", { className: "da-visually-hidden", role: "status" });
      doc.body.appendChild(status);
    }
    status.textContent = message;
  }

  function element(tag, properties, children) {
    var node = doc.createElement(tag);
    Object.keys(properties || {}).forEach(function (name) {
      if (name === "className" || name === "textContent" || name === "hidden" || name === "type" || name === "value" || name === "checked" || name === "href") node[name] = properties[name];
      else node.setAttribute(name, properties[name]);
    });
    (children || []).forEach(function (child) { node.append(child); });
    return node;
  }

  // A toggle button: its text stays (part of its accessible name, which names what it
  // acts on); aria-pressed and the style say whether it is on.
  function toggleButton(kind, text, name, pressed, onClick) {
    var button = element("button", { type: "button", className: "da-act da-" + kind, "aria-label": name, "aria-pressed": "false", textContent: text });
    function show() { button.setAttribute("aria-pressed", String(pressed())); }
    button.addEventListener("click", function () { onClick(); save(); });
    listeners.push(show);
    show();
    return button;
  }

  function toggleIn(map, slug) {
    if (map[slug]) delete map[slug];
    else map[slug] = Date.now();
  }

  function toggleListed(list, value) {
    var index = list.indexOf(value);
    if (index >= 0) list.splice(index, 1);
    else list.push(value);
  }

  function starButton(slug, title) {
    return toggleButton("star", "Star", "Star: " + title,
      function () { return !!state.stars[slug]; }, function () { toggleIn(state.stars, slug); });
  }

  function readButton(slug, title) {
    return toggleButton("read", "Read", "Read: " + title,
      function () { return !!state.read[slug]; }, function () { toggleIn(state.read, slug); });
  }

  // --- Listings: day, week and topic pages ----------------------------------------------

  // The last folder of a link: a paper's slug from its page's address, a topic's from its.
  function lastFolder(link) {
    var match = link && (link.getAttribute("href") || "").match(/([a-z0-9][a-z0-9-]*)\/(?:#.*)?$/);
    return match ? match[1] : "";
  }

  function topicsOf(entry) {
    return Array.prototype.map.call($$(".da-tags > a", entry), lastFolder).filter(Boolean);
  }

  // An entry of a listing: a dense one (li.da-entry, its id the slug) or a line (the
  // topic month pages), whose slug is its link's.
  function setUpEntry(entry) {
    var link = entry.querySelector(".da-entry-title a") || entry.querySelector("a");
    var slug = entry.id || lastFolder(link);
    if (!link || !SLUG.test(slug)) return false;
    var title = link.textContent;
    entry.daSlug = slug;
    entry.daLink = link;
    var tools = element("span", { className: "da-tools" }, [starButton(slug, title), readButton(slug, title)]);
    tools.append(abstractButton(entry, link, title));
    (entry.querySelector(".da-entry-meta") || entry).append(" ", tools);
    listeners.push(function () { entry.classList.toggle("da-read", !!state.read[slug]); });
    entry.daText = entry.textContent.toLowerCase();
    entry.daTopics = topicsOf(entry);
    return true;
  }

  // "Abstract": the paper page's abstract, fetched once and shown in place.
  function abstractButton(entry, link, title) {
    var box = element("div", { className: "da-inline-abstract", id: "abstract-" + entry.daSlug, hidden: true });
    var button = element("button", {
      type: "button", className: "da-act", "aria-expanded": "false", "aria-controls": box.id,
      "aria-label": "Abstract: " + title, textContent: "Abstract",
    });
    var excerpt = entry.querySelector(".da-excerpt");
    var after = excerpt || entry.querySelector(".da-entry-meta");
    if (after) after.after(box);
    else entry.append(box);
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", String(open));
      box.hidden = !open;
      if (excerpt) excerpt.hidden = open;
      if (open && !box.firstChild) {
        box.textContent = "Loading the abstract…";
        fetch(link.href).then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.text();
        }).then(function (html) {
          var abstract = new DOMParser().parseFromString(html, "text/html").querySelector(".da-abstract");
          box.replaceChildren(abstract ? doc.importNode(abstract, true) : "This paper's page has no abstract.");
        }).catch(function () {
          box.replaceChildren("The abstract could not be loaded: ", element("a", { href: link.href, textContent: "open the paper's page" }), ".");
        });
      }
    });
    entry.daAbstract = button;
    return button;
  }

  function words(text) {
    return text.split(",").map(function (word) { return word.trim().toLowerCase(); }).filter(Boolean);
  }

  function matches(entry, terms) {
    return terms.some(function (term) {
      var index = entry.daText.indexOf(term);
      while (index >= 0) {
        if (index === 0 || !/[\p{L}\p{N}]/u.test(entry.daText[index - 1])) return true;
        index = entry.daText.indexOf(term, index + 1);
      }
      return false;
    });
  }

  var showHidden = false;

  // Highlight and lift the papers that match an include word or a followed topic; hide
  // those matching an exclude word, a hidden topic, or read (when asked).
  function applyFilters(lists, report) {
    var hidden = 0;
    var lifted = 0;
    lists.forEach(function (list) {
      var order = list.daOrder || Array.prototype.slice.call(list.children);
      var top = [];
      var rest = [];
      order.forEach(function (entry) {
        if (!entry.daText) return rest.push(entry);
        var out = matches(entry, state.exclude) || entry.daTopics.some(function (t) { return state.hide.indexOf(t) >= 0; }) ||
          (state.hideRead && !!state.read[entry.daSlug]);
        var up = !out && (matches(entry, state.include) || entry.daTopics.some(function (t) { return state.follow.indexOf(t) >= 0; }));
        entry.classList.toggle("da-filtered", out && !showHidden);
        entry.classList.toggle("da-lifted", up);
        hidden += out ? 1 : 0;
        lifted += up ? 1 : 0;
        (up ? top : rest).push(entry);
      });
      top.concat(rest).forEach(function (entry) { list.appendChild(entry); });
    });
    report(hidden, lifted);
  }

  function setUpFilters(lists) {
    var include = element("input", { type: "text", value: state.include.join(", "), placeholder: "words, comma-separated" });
    var exclude = element("input", { type: "text", value: state.exclude.join(", "), placeholder: "words, comma-separated" });
    var hideRead = element("input", { type: "checkbox", checked: state.hideRead });
    var count = element("span", { role: "status" });
    var reveal = element("button", { type: "button", "aria-pressed": "false", hidden: true, textContent: "Show hidden" });
    var help = element("button", { type: "button", "aria-label": "Keyboard shortcuts", textContent: "?" });
    var bar = element("div", { className: "da-filters", role: "group", "aria-label": "Filter these papers" }, [
      element("label", {}, ["Highlight", include]),
      element("label", {}, ["Hide", exclude]),
      element("label", {}, [hideRead, "Hide read"]),
      count, reveal, help,
    ]);
    function commit() {
      state.include = words(include.value);
      state.exclude = words(exclude.value);
      state.hideRead = hideRead.checked;
      save();
    }
    include.addEventListener("change", commit);
    exclude.addEventListener("change", commit);
    hideRead.addEventListener("change", commit);
    reveal.addEventListener("click", function () {
      showHidden = !showHidden;
      reveal.setAttribute("aria-pressed", String(showHidden));
      refresh();
    });
    help.addEventListener("click", showHelp);
    function refresh() {
      applyFilters(lists, function (hidden, lifted) {
        var parts = [];
        if (lifted) parts.push(lifted + " highlighted");
        if (hidden) parts.push(hidden + " hidden by your filters");
        count.textContent = parts.join(", ");
        reveal.hidden = !hidden;
      });
    }
    listeners.push(refresh);
    var anchor = doc.querySelector(".da-sort:not([hidden])") || lists[0];
    anchor.before(bar);
    refresh();
    return refresh;
  }

  // A day's sort switch: <div class="da-sort" hidden> with buttons data-sort="listed" and
  // data-sort="votes", over <ol class="da-entries"> whose items carry data-votes.
  function setUpSort(control, refresh) {
    var list = doc.querySelector("ol.da-entries");
    if (!list) return;
    var listed = Array.prototype.slice.call(list.children);
    var byVotes = listed.slice().sort(function (a, b) {
      var votes = Number(b.getAttribute("data-votes") || -1) - Number(a.getAttribute("data-votes") || -1);
      return votes || listed.indexOf(a) - listed.indexOf(b);
    });
    var buttons = $$("button[data-sort]", control);
    function show(order) {
      list.daOrder = order === "votes" ? byVotes : listed;
      list.daOrder.forEach(function (item) { list.appendChild(item); });
      each(buttons, function (button) {
        button.setAttribute("aria-pressed", String(button.getAttribute("data-sort") === order));
      });
      if (refresh) refresh();
    }
    each(buttons, function (button) {
      button.addEventListener("click", function () { show(button.getAttribute("data-sort")); });
    });
    list.daOrder = listed;
    control.hidden = false;
  }

  // --- Keyboard -----------------------------------------------------------------------

  var KEYS = [
    ["j", "next paper"], ["k", "previous paper"], ["o", "open the paper"], ["s", "star or unstar it"],
    ["m", "mark it read or not"], ["a", "show or hide its abstract"], ["n", "next (newer) day or week"],
    ["p", "previous (older) day or week"], ["f or /", "search"], ["?", "this help"],
  ];
  var help = null;

  function showHelp() {
    if (!help) {
      var close = element("button", { type: "button", className: "da-act", textContent: "Close" });
      var list = element("dl");
      KEYS.forEach(function (pair) { list.append(element("dt", {}, [element("kbd", { textContent: pair[0] })]), element("dd", { textContent: pair[1] })); });
      help = element("dialog", { className: "da-help md-typeset", "aria-labelledby": "da-help-title" }, [
        element("h2", { id: "da-help-title", textContent: "Keyboard shortcuts" }),
        element("p", { textContent: "On day, week and topic pages; s, m and a also on a paper's page." }), list, close,
      ]);
      close.addEventListener("click", function () { help.close(); });
      doc.body.appendChild(help);
    }
    if (!help.open) help.showModal();
  }

  function setUpKeys(entries, paper) {
    var current = -1;
    function visible() {
      return entries.filter(function (entry) { return !entry.classList.contains("da-filtered"); })
        .sort(function (a, b) { return a.compareDocumentPosition(b) & 4 ? -1 : 1; });
    }
    function move(step) {
      var shown = visible();
      if (!shown.length) return;
      var at = shown.indexOf(entries[current]);
      var next = shown[Math.max(0, Math.min(shown.length - 1, at < 0 ? (step > 0 ? 0 : shown.length - 1) : at + step))];
      if (entries[current]) entries[current].classList.remove("da-current");
      current = entries.indexOf(next);
      next.classList.add("da-current");
      next.daLink.focus({ preventScroll: true });
      next.scrollIntoView({ block: "nearest" });
    }
    function target() { return entries[current] || paper; }
    // Whether a tool of the current paper was there to press: where there is none, the
    // key is left to Material ("s" opens its search, as "f" and "/" do everywhere).
    function press(selector) {
      var item = target();
      var button = item && item.querySelector(selector);
      if (button) button.click();
      return !!button;
    }
    doc.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
      var node = event.target;
      if (node && (node.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(node.tagName))) return;
      if (help && help.open) return;
      var key = event.key;
      if (key === "j" || key === "k") move(key === "j" ? 1 : -1);
      else if (key === "o" && entries[current]) location.href = entries[current].daLink.href;
      else if (key === "s" || key === "m" || key === "a") {
        if (!press(".da-tools .da-act:nth-child(" + ("sma".indexOf(key) + 1) + ")")) return;
      } else if (key === "n" || key === "p") {
        var link = doc.querySelector('.da-pager a[rel="' + (key === "n" ? "next" : "prev") + '"]');
        if (link) location.href = link.href;
        else return;
      } else if (key === "?") showHelp();
      else return;
      // Handled here: Material's own keys (on the window) do not see it.
      event.preventDefault();
      event.stopPropagation();
    });
  }

  // --- Topics: follow or hide one; sort the index ---------------------------------------

  function setUpTopic(page) {
    var slug = page.getAttribute("data-topic");
    var name = (page.querySelector("h1") || {}).textContent || slug;
    var line = page.querySelector(".da-counts");
    if (!line || !SLUG.test(slug)) return;
    line.append(" ", element("span", { className: "da-tools" }, [
      toggleButton("follow", "Follow", "Follow topic: " + name,
        function () { return state.follow.indexOf(slug) >= 0; }, function () { toggleListed(state.follow, slug); }),
      toggleButton("hide", "Hide from listings", "Hide from listings: " + name,
        function () { return state.hide.indexOf(slug) >= 0; }, function () { toggleListed(state.hide, slug); }),
    ]));
  }

  function setUpTopicSort(table) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    each($$("th[data-sort]", table), function (header) {
      var button = element("button", { type: "button", textContent: header.textContent });
      header.replaceChildren(button);
      button.addEventListener("click", function () {
        var by = header.getAttribute("data-sort");
        var descending = header.getAttribute("aria-sort") === "ascending" || (header.getAttribute("aria-sort") === "none" && by === "size");
        var key = function (row) { return by === "size" ? Number(row.cells[1].getAttribute("data-value")) : row.cells[0].textContent.toLowerCase(); };
        rows.sort(function (a, b) {
          var x = key(a);
          var y = key(b);
          return (x < y ? -1 : x > y ? 1 : 0) * (descending ? -1 : 1);
        }).forEach(function (row) { body.appendChild(row); });
        each($$("th[data-sort]", table), function (other) { other.setAttribute("aria-sort", "none"); });
        header.setAttribute("aria-sort", descending ? "descending" : "ascending");
      });
    });
  }

  // --- The reading list and /for-you/: rendered from the compact paper index ------------

  function fnv1a(text) {
    var value = 0x811c9dc5;
    var bytes = new TextEncoder().encode(text);
    for (var i = 0; i < bytes.length; i++) value = Math.imul(value ^ bytes[i], 0x01000193) >>> 0;
    return value;
  }

  function makeIndex(app) {
    var paths = JSON.parse(app.getAttribute("data-paths"));
    var shards = Number(app.getAttribute("data-shards")) || 1;
    var base = new URL(app.getAttribute("data-root"), location.href);
    var cache = {};
    function file(path) {
      if (!cache[path]) {
        cache[path] = fetch(new URL(path, base)).then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status + " for " + path);
          return response.json();
        }).then(function (data) {
          return data.papers.map(function (record) {
            var paper = {};
            data.fields.forEach(function (field, index) { paper[field] = record[index]; });
            // Topics are numbers into the file's list of topic slugs.
            paper.topics = paper.topics.map(function (number) { return data.topics[number]; });
            return paper;
          });
        });
      }
      return cache[path];
    }
    return {
      topics: JSON.parse(app.getAttribute("data-topics")),
      url: function (kind, slug) { return new URL(paths[kind].replace("{slug}", slug), base).href; },
      recent: function () { return file(paths.recent); },
      // The papers of `slugs` found in the index, by slug.
      papers: function (slugs) {
        var wanted = {};
        slugs.forEach(function (slug) { wanted[paths.shard.replace("{number}", fnv1a(slug) % shards)] = true; });
        return Promise.all(Object.keys(wanted).map(file)).then(function (lists) {
          var found = {};
          lists.forEach(function (list) { list.forEach(function (paper) { if (slugs.indexOf(paper.slug) >= 0) found[paper.slug] = paper; }); });
          return found;
        });
      },
    };
  }

  function authorsLine(paper) {
    var names = paper.authors.join(", ");
    return paper.authorCount > paper.authors.length ? names + " and " + (paper.authorCount - paper.authors.length) + " more" : names;
  }

  function paperItem(index, paper, note) {
    var item = element("li", { className: "da-entry", id: paper.slug }, [
      element("h2", { className: "da-entry-title" }, [element("a", { href: index.url("paper", paper.slug), textContent: paper.title })]),
    ]);
    if (paper.authors.length) item.append(element("p", { className: "da-entry-authors", textContent: authorsLine(paper) }));
    var meta = element("p", { className: "da-entry-meta" }, ["First listed " + paper.first + (paper.last !== paper.first ? ", last " + paper.last : "")]);
    if (paper.arxiv) meta.append(" · arXiv:" + paper.arxiv);
    var chips = element("span", { className: "da-tags" });
    paper.topics.forEach(function (slug) {
      chips.append(element("a", { href: index.url("tag", slug), textContent: index.topics[slug] || slug }));
    });
    meta.append(" ", chips, " ", element("span", { className: "da-tools" }, [starButton(paper.slug, paper.title), readButton(paper.slug, paper.title)]));
    item.append(meta);
    if (note) item.append(element("p", { className: "da-why", textContent: note }));
    return item;
  }

  function download(name, type, text) {
    var link = element("a", { href: URL.createObjectURL(new Blob([text], { type: type })), download: name });
    doc.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
  }

  function starredSlugs() {
    return Object.keys(state.stars).sort(function (a, b) { return state.stars[b] - state.stars[a] || (a < b ? -1 : 1); });
  }

  // Slugs named in an imported file: our JSON export, or any text (Markdown, BibTeX)
  // holding links to paper pages.
  function importedSlugs(text, index) {
    var slugs = [];
    try {
      var data = JSON.parse(text);
      (Array.isArray(data) ? data : data.papers || []).forEach(function (item) {
        var slug = typeof item === "string" ? item : item && item.slug;
        if (typeof slug === "string") slugs.push(slug);
      });
    } catch (error) {
      var pattern = index.url("paper", "SLUG").split("SLUG");
      var tail = pattern[1].replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      var found = new RegExp("(?:" + pattern[0].replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "|/)([a-z0-9][a-z0-9-]*)" + tail, "g");
      var match;
      while ((match = found.exec(text))) slugs.push(match[1]);
    }
    return slugs.filter(function (slug, position) { return SLUG.test(slug) && slugs.indexOf(slug) === position; });
  }

  function setUpReadingList(app) {
    var index = makeIndex(app);
    var list = element("ol", { className: "da-entries" });
    var note = element("p", { role: "status" });
    var exports = [["BibTeX", "bib"], ["Markdown", "md"], ["JSON", "json"]].map(function (format) {
      var button = element("button", { type: "button", textContent: "Export " + format[0] });
      button.addEventListener("click", function () { exportAs(format[1]); });
      return button;
    });
    var file = element("input", { type: "file", accept: ".json,.md,.bib,.txt" });
    var tools = element("div", { className: "da-filters", role: "group", "aria-label": "Export and import" },
      exports.concat([element("label", {}, ["Import (JSON, Markdown or BibTeX from an export)", file])]));
    app.replaceChildren(tools, note, list);
    app.hidden = false;

    function render() {
      var slugs = starredSlugs();
      if (!slugs.length) {
        list.replaceChildren();
        note.textContent = "No starred papers yet: press Star beside a paper on a day, week, topic or paper page.";
        return Promise.resolve();
      }
      return index.papers(slugs).then(function (found) {
        var missing = slugs.filter(function (slug) { return !found[slug]; });
        listeners.length = baseListeners;
        list.replaceChildren.apply(list, slugs.filter(function (slug) { return found[slug]; }).map(function (slug) {
          return paperItem(index, found[slug], "Starred " + new Date(state.stars[slug]).toISOString().slice(0, 10));
        }));
        note.textContent = slugs.length - missing.length + " starred " + (slugs.length - missing.length === 1 ? "paper" : "papers") +
          (missing.length ? "; " + missing.length + " starred here no longer in this archive: " + missing.join(", ") : "") + ".";
      }).catch(function (error) {
        note.textContent = "The paper index could not be loaded (" + error.message + "); reload to try again.";
      });
    }

    function exportAs(format) {
      var slugs = starredSlugs();
      index.papers(slugs).then(function (found) {
        var papers = slugs.filter(function (slug) { return found[slug]; }).map(function (slug) { return found[slug]; });
        if (format === "json") {
          download("reading-list.json", "application/json", JSON.stringify({
            format: "digest-archive reading list", version: VERSION, site: root.href,
            papers: papers.map(function (paper) {
              return { slug: paper.slug, title: paper.title, url: index.url("paper", paper.slug), arxiv: paper.arxiv || null,
                firstListed: paper.first, starred: new Date(state.stars[paper.slug]).toISOString() };
            }),
          }, null, 2) + "\n");
        } else if (format === "md") {
          download("reading-list.md", "text/markdown", "# Reading list\n\n" + papers.map(function (paper) {
            var title = paper.title.replace(/([\\[\]])/g, "\\$1");
            return "- [" + title + "](" + index.url("paper", paper.slug) + ")" + (paper.authors.length ? ", " + authorsLine(paper) : "") +
              (paper.arxiv ? ", arXiv:" + paper.arxiv : "") + ", first listed " + paper.first;
          }).join("\n") + "\n");
        } else {
          Promise.all(papers.map(function (paper) {
            return fetch(index.url("bib", paper.slug)).then(function (response) {
              if (!response.ok) throw new Error(response.status);
              return response.text();
            }).then(function (bib) {
              // The page's address first: an import finds the paper by it.
              return "% " + index.url("paper", paper.slug) + "\n" + bib.trim() + "\n";
            });
          })).then(function (entries) {
            download("reading-list.bib", "application/x-bibtex", entries.join("\n"));
          }).catch(function () { note.textContent = "The BibTeX entries could not be loaded; reload to try again."; });
        }
      });
    }

    file.addEventListener("change", function () {
      var chosen = file.files && file.files[0];
      if (!chosen) return;
      chosen.text().then(function (text) {
        var slugs = importedSlugs(text, index);
        return index.papers(slugs).then(function (found) {
          var added = 0;
          slugs.forEach(function (slug) {
            if (found[slug] && !state.stars[slug]) {
              state.stars[slug] = Date.now();
              added += 1;
            }
          });
          var unknown = slugs.filter(function (slug) { return !found[slug]; }).length;
          save();
          return render().then(function () {
            note.textContent = "Imported " + added + " " + (added === 1 ? "paper" : "papers") + (unknown ? "; " + unknown + " not in this archive" : "") +
              (slugs.length ? "." : ": the file names no paper of this archive.");
          });
        });
      }).catch(function () { note.textContent = "That file could not be read."; });
      file.value = "";
    });
    listeners.push(function () { if (!list.contains(doc.activeElement)) render(); });
    var baseListeners = listeners.length;
    render();
  }

  // /for-you/ reads the related papers of at most this many stars (the newest), each
  // from the starred paper's own page.
  var STARS_READ = 50;

  // {slug: {title, related: [slugs]}} of the starred papers, read from their pages.
  function starredRelated(index, slugs) {
    return Promise.all(slugs.map(function (slug) {
      return fetch(index.url("paper", slug)).then(function (response) {
        if (!response.ok) return null;
        return response.text().then(function (html) {
          var page = new DOMParser().parseFromString(html, "text/html");
          var title = page.querySelector("article h1");
          return title && { slug: slug, title: title.textContent, related: Array.prototype.map.call($$(".da-related a", page), lastFolder) };
        });
      });
    })).then(function (pages) {
      var found = {};
      pages.forEach(function (star) { if (star) found[star.slug] = star; });
      return found;
    });
  }

  function setUpForYou(app) {
    var index = makeIndex(app);
    var list = element("ol", { className: "da-entries" });
    var note = element("p", { role: "status" });
    app.replaceChildren(note, list);
    app.hidden = false;
    var baseListeners;
    function render() {
      var starred = starredSlugs();
      if (!starred.length && !state.follow.length) {
        note.textContent = "Star papers (the Star button beside each paper) or follow topics (on a topic's page), and the recent papers related to them will show here.";
        list.replaceChildren();
        return;
      }
      Promise.all([index.recent(), starredRelated(index, starred.slice(0, STARS_READ))]).then(function (results) {
        var recent = results[0];
        var stars = results[1];
        var ranked = [];
        recent.forEach(function (paper) {
          if (state.stars[paper.slug] || paper.topics.some(function (t) { return state.hide.indexOf(t) >= 0; })) return;
          var because = [];
          starred.forEach(function (slug) {
            var star = stars[slug];
            if (star && (star.related.indexOf(paper.slug) >= 0 || paper.related.indexOf(slug) >= 0)) because.push(star.title);
          });
          var topics = paper.topics.filter(function (t) { return state.follow.indexOf(t) >= 0; });
          if (!because.length && !topics.length) return;
          var reasons = [];
          if (because.length) reasons.push("Related to " + because.map(function (title) { return "“" + title + "”"; }).join(", "));
          if (topics.length) reasons.push("In " + topics.map(function (t) { return index.topics[t] || t; }).join(", "));
          ranked.push({ paper: paper, score: because.length + topics.length / 2, note: reasons.join("; ") });
        });
        ranked.sort(function (a, b) { return b.score - a.score || (a.paper.last < b.paper.last ? 1 : a.paper.last > b.paper.last ? -1 : 0); });
        listeners.length = baseListeners;
        list.replaceChildren.apply(list, ranked.slice(0, 50).map(function (item) { return paperItem(index, item.paper, item.note); }));
        note.textContent = ranked.length ? ranked.length + " recent " + (ranked.length === 1 ? "paper" : "papers") + " for you, most related first."
          : "No paper of the latest days is related to your stars or in your topics yet.";
      }).catch(function (error) {
        note.textContent = "The paper index could not be loaded (" + error.message + "); reload to try again.";
      });
    }
    listeners.push(function () { if (!list.contains(doc.activeElement)) render(); });
    baseListeners = listeners.length;
    render();
  }

  // --- Search filters: topic, year and author, written into the query -----------------
  // The search worker (generator/mkdocs/archive-search.js) reads topic:"…", year:… and
  // author:"…" from the query, so a filtered search is an ordinary query: typed, edited,
  // or linked (?q=…), and Material's search box needs no change.

  var FILTER = /\b(topic|year|author):(?:"([^"]*)"?|(\S+))\s*/gi;

  function setUpSearchFilters() {
    var path = PATHS && PATHS.filters;
    var input = doc.querySelector("input[data-md-component=search-query]");
    var output = doc.querySelector(".md-search__output");
    if (!path || !input || !output) return;
    var topic = element("select", { "aria-label": "Topic filter" }, [new Option("Any topic", "")]);
    var year = element("select", { "aria-label": "Year filter" }, [new Option("Any year", "")]);
    var author = element("input", { type: "text", placeholder: "Author", "aria-label": "Author filter" });
    var bar = element("div", { className: "da-search-filters", role: "group", "aria-label": "Search filters", hidden: true }, [topic, year, author]);
    output.prepend(bar);
    var loaded = null;
    function load() {
      loaded = loaded || fetch(new URL(path, root)).then(function (response) { return response.json(); }).then(function (choices) {
        choices.topics.forEach(function (name) { topic.append(new Option(name, name)); });
        choices.years.forEach(function (value) { year.append(new Option(String(value), String(value))); });
        author.hidden = !choices.authors;
        bar.hidden = false;
        read();
      }).catch(function () { loaded = null; });
    }
    // The selects show the filters the query holds.
    function read() {
      var found = { topic: "", year: "", author: "" };
      input.value.replace(FILTER, function (_, name, quoted, bare) {
        found[name.toLowerCase()] = quoted !== undefined ? quoted : bare;
      });
      topic.value = found.topic;
      year.value = found.year;
      if (doc.activeElement !== author) author.value = found.author;
    }
    function write() {
      var words = input.value.replace(FILTER, "").trim();
      var parts = [];
      if (topic.value) parts.push('topic:"' + topic.value + '"');
      if (year.value) parts.push("year:" + year.value);
      if (author.value.trim()) parts.push('author:"' + author.value.trim().replace(/"/g, "") + '"');
      input.value = parts.concat(words ? [words] : []).join(" ");
      input.dispatchEvent(new KeyboardEvent("keyup"));
    }
    input.addEventListener("focus", load);
    input.addEventListener("keyup", function (event) { if (event.isTrusted) read(); });
    topic.addEventListener("change", write);
    year.addEventListener("change", write);
    author.addEventListener("change", write);
  }

  // --- Links to the reader's pages: in the tabs and the drawer, made here because the
  // pages work only with this script (and a link in every page's HTML would weigh on
  // 50,000 paper pages).

  function setUpReaderLinks() {
    if (!PATHS) return;
    var here = location.href.split(/[?#]/)[0];
    [["For you", PATHS.forYou], ["Reading list", PATHS.readingList]].forEach(function (pair) {
      var href = new URL(pair[1], root).href;
      var active = here === href || here === href + "index.html";
      each($$(".md-tabs__list"), function (list) {
        list.append(element("li", { className: "md-tabs__item" + (active ? " md-tabs__item--active" : "") }, [
          element("a", { className: "md-tabs__link", href: href, textContent: pair[0] }),
        ]));
      });
      each($$(".md-nav--primary > .md-nav__list"), function (list) {
        list.append(element("li", { className: "md-nav__item" }, [
          element("a", { className: "md-nav__link" + (active ? " md-nav__link--active" : ""), href: href, textContent: pair[0] }),
        ]));
      });
    });
  }

  // --- Copy buttons: <button class="da-copy" data-copy="ID" hidden> copies #ID's text. --

  function setUpCopy(button) {
    var target = doc.getElementById(button.getAttribute("data-copy"));
    if (!target || !navigator.clipboard) return;
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(target.textContent).then(
        function () { button.textContent = "Copied"; },
        function () { button.textContent = "Select the text to copy"; }
      ).then(function () {
        setTimeout(function () { button.textContent = label; }, 2000);
      });
    });
  }

  function start() {
    // Material's search panel is a dialog without a name (axe: aria-dialog-name).
    var searchDialog = doc.querySelector(".md-search[role=dialog]:not([aria-label])");
    if (searchDialog) searchDialog.setAttribute("aria-label", "Search");
    each($$("button.da-copy[data-copy]"), setUpCopy);
    var entries = Array.prototype.slice.call($$("ol.da-entries > li")).filter(setUpEntry);
    var lists = Array.prototype.slice.call($$("ol.da-entries")).filter(function (list) { return list.querySelector("li"); });
    var refresh = lists.length ? setUpFilters(lists) : null;
    each($$(".da-sort"), function (control) { setUpSort(control, refresh); });
    // A paper's page: its slug is its .bib file's name.
    var paper = doc.querySelector("article.da-paper");
    var bib = paper && paper.querySelector(".da-cite a[download]");
    if (bib) {
      var slug = (bib.getAttribute("href").match(/([a-z0-9][a-z0-9-]*)\.bib$/) || [])[1] || "";
      var title = paper.querySelector("h1").textContent;
      var links = paper.querySelector(".da-paper-links");
      if (links && SLUG.test(slug)) links.append(" ", element("span", { className: "da-tools" }, [starButton(slug, title), readButton(slug, title)]));
    }
    each($$("[data-topic].da-tag-page"), setUpTopic);
    each($$("table.da-topic-table"), setUpTopicSort);
    var readingList = doc.getElementById("da-reading-list");
    if (readingList) setUpReadingList(readingList);
    var forYou = doc.getElementById("da-for-you");
    if (forYou) setUpForYou(forYou);
    setUpKeys(entries, paper);
    setUpSearchFilters();
    setUpReaderLinks();
    listeners.forEach(function (listener) { listener(); });
  }

  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", start);
  else start();
})();
