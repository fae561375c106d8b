// The token inspector: sends what is pasted or dropped to this server's POST /inspect and shows,
// for each token found, its verdict line first, where it was found, what to fix, and the
// details folded. The state is written into <body data-state=…> for tests; each verdict is an
// <article data-answer=…>.
(function () {
  "use strict";

  var MAX_BYTES = 64 * 1024 * 1024;
  var ANSWERS = {
    accepted: "accepted",
    rejected: "rejected",
    "cannot-tell": "cannot tell",
  };
  var $ = function (id) {
    return document.getElementById(id);
  };
  // A dropped or chosen file, judged instead of the text box.
  var file = null;

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function setState(state, summary) {
    document.body.dataset.state = state;
    if (summary !== undefined) $("summary").textContent = summary;
  }

  function showError(message) {
    $("error").hidden = !message;
    $("error").textContent = message || "";
  }

  function setFile(chosen) {
    file = chosen;
    $("file").hidden = !chosen;
    $("file").textContent = chosen
      ? "File: " + chosen.name + " (" + chosen.size + " bytes), judged instead of the text box."
      : "";
  }

  function plural(n, word) {
    return n + " " + word + (n === 1 ? "" : "s");
  }

  function checkItem(check) {
    var item = element("li", check.status);
    item.appendChild(element("span", "check-id", check.status.toUpperCase() + " " + check.id));
    item.appendChild(document.createTextNode(" " + check.message));
    if (check.hint) item.appendChild(element("span", "hint", "fix: " + check.hint));
    if (check.status === "fail") {
      item.appendChild(
        element(
          "span",
          "java",
          check.java_stack === "rejects"
            ? "iAdvize's JOSE library refuses the token for this"
            : "iAdvize's JOSE library lets this through today; iAdvize's documented rules forbid it"
        )
      );
    }
    return item;
  }

  function folded(title, body) {
    var details = element("details", "folded");
    details.appendChild(element("summary", null, title));
    details.appendChild(body);
    return details;
  }

  function json(value) {
    return JSON.stringify(value, null, 2);
  }

  function tokenCard(judged, index, count) {
    var report = judged.report;
    var card = element("article", "token");
    card.dataset.answer = judged.answer;
    if (count > 1) card.appendChild(element("h3", null, "Token " + (index + 1) + " of " + count));
    var verdict = element("p", "verdict");
    verdict.appendChild(element("span", "badge " + judged.answer, ANSWERS[judged.answer] || judged.answer));
    verdict.appendChild(element("span", "sentence", judged.sentence));
    card.appendChild(verdict);
    if (judged.places.length) {
      var places = element("ul", "places");
      judged.places.forEach(function (place) {
        places.appendChild(element("li", null, "Found: " + place));
      });
      card.appendChild(places);
    }
    judged.notes.forEach(function (note) {
      card.appendChild(element("p", "key-note", note));
    });
    var causes = report.checks.filter(function (check) {
      return check.status === "fail" || check.status === "warn";
    });
    if (causes.length) {
      var fix = element("div", "fix");
      fix.appendChild(element("h4", null, "What to fix"));
      var list = element("ul", "checks");
      causes.forEach(function (check) {
        list.appendChild(checkItem(check));
      });
      fix.appendChild(list);
      card.appendChild(fix);
    }
    var table = element("table", "all-checks");
    report.checks.forEach(function (check) {
      var row = element("tr", check.status);
      row.appendChild(element("td", "check-id", check.id));
      row.appendChild(element("td", null, check.status));
      row.appendChild(element("td", null, check.message + (check.hint ? " — fix: " + check.hint : "")));
      table.appendChild(row);
    });
    card.appendChild(folded("Every check (" + report.checks.length + ")", table));
    var parts = {};
    if (report.jwe) parts["outer header (JWE)"] = report.jwe.header;
    if (report.jws) {
      parts["inner header (JWS)"] = report.jws.header;
      parts.claims = report.jws.claims;
    }
    if (report.decrypted_payload) parts["decrypted content"] = report.decrypted_payload;
    parts.verdict = report.verdict;
    card.appendChild(
      folded(
        "Headers, claims and verdict (signatures are never shown)",
        element("pre", "activation", json(parts))
      )
    );
    return card;
  }

  function show(inspection) {
    var results = $("results");
    results.textContent = "";
    var tokens = inspection.tokens;
    tokens.forEach(function (judged, index) {
      results.appendChild(tokenCard(judged, index, tokens.length));
    });
    var counts = {};
    tokens.forEach(function (judged) {
      counts[judged.answer] = (counts[judged.answer] || 0) + 1;
    });
    var words = Object.keys(counts).map(function (answer) {
      return counts[answer] + " " + (ANSWERS[answer] || answer);
    });
    var summary = tokens.length
      ? plural(tokens.length, "token") + ": " + words.join(", ")
      : "no token found";
    if (inspection.no_token) showError(inspection.no_token.replace(/^./, function (c) {
      return c.toUpperCase();
    }) + ".");
    if (inspection.not_judged) summary += "; " + inspection.not_judged + " more found, not judged";
    setState("done", summary);
  }

  async function inspect() {
    showError(null);
    var text = file ? null : $("text").value;
    if (!file && !text.trim()) {
      showError("Nothing to inspect: paste a token or text above, or drop a file on the page.");
      setState("idle");
      return;
    }
    if (file && file.size > MAX_BYTES) {
      showError(file.name + " is larger than 64 MiB: give the part of it that holds the token.");
      setState("error", "not inspected");
      return;
    }
    setState("working", "inspecting…");
    try {
      if (file) text = await file.text();
      var body = { text: text };
      if ($("brand-key").value.trim()) body.brandKey = $("brand-key").value;
      if ($("expect-jws").checked) body.expect = "jws";
      var headers = { "Content-Type": "application/json" };
      if ($("access-token").value) headers.Authorization = "Bearer " + $("access-token").value;
      var response = await fetch("/inspect", {
        method: "POST",
        headers: headers,
        body: JSON.stringify(body),
      });
      var answer = await response.json().catch(function () {
        return {};
      });
      if (!response.ok) {
        throw new Error("the server answered " + response.status + (answer.error ? ": " + answer.error : ""));
      }
      show(answer);
    } catch (err) {
      $("results").textContent = "";
      showError(String(err.message || err));
      setState("error", "not inspected");
    }
  }

  $("inspect-form").addEventListener("submit", function (e) {
    e.preventDefault();
    inspect();
  });
  $("clear").addEventListener("click", function () {
    $("text").value = "";
    $("choose").value = "";
    setFile(null);
    showError(null);
    $("results").textContent = "";
    setState("idle", "nothing inspected yet");
  });
  $("text").addEventListener("input", function () {
    if (file) setFile(null);
  });
  $("choose").addEventListener("change", function () {
    if ($("choose").files.length) {
      setFile($("choose").files[0]);
      inspect();
    }
  });

  // A file dropped anywhere on the page is judged at once.
  var veil = $("drop-veil");
  document.addEventListener("dragover", function (e) {
    e.preventDefault();
    veil.hidden = false;
  });
  document.addEventListener("dragleave", function (e) {
    if (e.target === veil || e.relatedTarget === null) veil.hidden = true;
  });
  document.addEventListener("drop", function (e) {
    e.preventDefault();
    veil.hidden = true;
    var files = e.dataTransfer && e.dataTransfer.files;
    if (files && files.length) {
      setFile(files[0]);
      inspect();
    } else if (e.dataTransfer && e.dataTransfer.getData("text/plain")) {
      setFile(null);
      $("text").value = e.dataTransfer.getData("text/plain");
      inspect();
    }
  });

  fetch("/keys")
    .then(function (response) {
      return response.json();
    })
    .then(function (keys) {
      var recipient = keys.recipient || {};
      $("keys").textContent = recipient.is_iadvize_production
        ? "This server holds no stand-in (--production): every token is judged without a " +
          "private key, as support judges a production token."
        : "This server's stand-in key (SHA-256 " + String(recipient.sha256_fingerprint).slice(0, 8) +
          "…) opens the tokens it made; a production token opens only with iAdvize's own key, " +
          "which nobody outside iAdvize holds.";
    })
    .catch(function () {});
})();
