// The rehearsal page: a brand's login flow against the stand-in tag, in the standard mode
// (iAdvize.activate with a provider) or the boxed mode (the sandboxed iframe's messages).
// Query parameters fill the form: ?userId=…&endpoint=…&fault=…&mode=boxed&sessionLifetime=…
// &retryDelay=… and autorun=1 logs in at once. The fault picker lists GET /faults. The
// outcome is written into <body data-status=…> for tests.
(function () {
  "use strict";

  var SUCCESS = "authentication-success";
  var $ = function (id) {
    return document.getElementById(id);
  };
  var params = new URLSearchParams(location.search);
  if (params.has("userId")) $("user-id").value = params.get("userId");
  if (params.has("endpoint")) $("endpoint").value = params.get("endpoint");
  if (params.has("mode")) $("mode").value = params.get("mode");
  if (params.has("sessionLifetime")) $("session-lifetime").value = params.get("sessionLifetime");
  var retryDelay = params.has("retryDelay") ? Number(params.get("retryDelay")) : undefined;

  window.iAdvizeInterface = window.iAdvizeInterface || [];
  window.iAdvizeInterface.config = { sid: "rehearsal", standin: {} };

  function standinSettings() {
    var settings = { sessionLifetime: Number($("session-lifetime").value) || 3600 };
    if (retryDelay !== undefined) settings.retryDelay = retryDelay;
    if ($("access-token").value) settings.accessToken = $("access-token").value;
    return settings;
  }

  function event(text, kind) {
    var item = document.createElement("li");
    if (kind) item.className = kind;
    item.textContent = new Date().toLocaleTimeString() + " " + text;
    $("events").appendChild(item);
    $("no-events").hidden = true;
  }

  // The fault picker: every fault of GET /faults, those this server refuses disabled with why.
  var faultInfo = {};
  var faultsLoaded = fetch("/faults")
    .then(function (response) {
      return response.json();
    })
    .then(function (answer) {
      (answer.faults || []).forEach(function (fault) {
        faultInfo[fault.name] = fault;
        var option = document.createElement("option");
        option.value = fault.name;
        option.textContent = fault.name + ": " + fault.what + (fault.refused ? " (refused here)" : "");
        option.disabled = Boolean(fault.refused);
        if (fault.refused) option.title = fault.refused;
        $("fault").appendChild(option);
      });
      if (params.has("fault")) $("fault").value = params.get("fault");
      describeFault();
    })
    .catch(function () {});

  var faultNote = $("fault-note").textContent;
  function describeFault() {
    var fault = faultInfo[$("fault").value];
    $("fault-note").textContent = fault
      ? fault.what + ". What a brand's backend did: " + fault.backend + ". inspect's " + fault.check +
        " check " + (fault.status === "warn" ? "warns" : "fails") + "; iAdvize's JOSE library " +
        fault.iadvize + " the token."
      : faultNote;
  }
  $("fault").addEventListener("change", describeFault);

  function showNotices(notices) {
    var list = $("notices");
    list.textContent = "";
    (notices || []).forEach(function (notice) {
      var item = document.createElement("li");
      item.textContent = notice;
      list.appendChild(item);
    });
    list.hidden = !list.children.length;
  }

  // What the stand-in did with each token it verified.
  var tokenCount = 0;
  var lastNotices = "[]";
  function verified(answer) {
    var auth = (answer && answer.authentication) || {};
    var diagnosis = (answer && answer.diagnosis) || {};
    var name = "token " + tokenCount;
    if (auth.status === SUCCESS) {
      event(name + ": accepted by the stand-in", "accepted");
      return;
    }
    var failed = firstFailure(diagnosis);
    event(
      name + ": refused by the stand-in" +
        (failed ? ", first failing check " + failed.id + ": " + failed.message : ""),
      "refused"
    );
  }

  function firstFailure(diagnosis) {
    var checks = (diagnosis.report && diagnosis.report.checks) || [];
    var id = diagnosis.first_failure;
    for (var i = 0; i < checks.length; i += 1) {
      if (id ? checks[i].id === id : checks[i].status === "fail") return checks[i];
    }
    return id ? { id: id, message: "" } : null;
  }

  function setSession(authenticated) {
    document.body.dataset.session = authenticated ? "authenticated" : "anonymous";
    $("visitor-banner").hidden = !authenticated;
    $("advisor-lock").hidden = !authenticated;
    $("advisor-name").textContent = authenticated ? $("user-id").value : "Anonymous visitor";
  }

  function setStatus(status, label) {
    document.body.dataset.status = status;
    $("status").textContent = label || status;
  }

  // The activation object as shown: the token cut short, it is long and says nothing by eye.
  function shown(activation) {
    return JSON.stringify(
      activation,
      function (key, value) {
        return key === "token" && typeof value === "string" && value.length > 40
          ? value.slice(0, 40) + "… (" + value.length + " characters)"
          : value;
      },
      2
    );
  }

  function showDiagnosis(diagnosis) {
    var list = $("checks");
    list.textContent = "";
    var report = diagnosis && diagnosis.report;
    var checks = ((report && report.checks) || []).filter(function (check) {
      return check.status === "fail" || check.status === "warn";
    });
    checks.forEach(function (check) {
      var item = document.createElement("li");
      item.className = check.status;
      item.textContent = check.status.toUpperCase() + " " + check.id + ": " + check.message;
      if (check.hint) {
        var hint = document.createElement("span");
        hint.className = "hint";
        hint.textContent = "fix: " + check.hint;
        item.appendChild(hint);
      }
      list.appendChild(item);
    });
    // The stand-in is stricter than iAdvize's library on purpose: say so where the verdict of
    // the library ("accepts") and the stand-in's failure meet.
    var note = (diagnosis && diagnosis.standin_note) || "";
    $("standin-note").hidden = !note;
    $("standin-note").textContent = note ? note.charAt(0).toUpperCase() + note.slice(1) + "." : "";
    $("diagnosis").hidden = checks.length === 0 && !note;
  }

  function show(activation, diagnosis) {
    var auth = (activation && activation.authentication) || {};
    $("first-view").hidden = true;
    $("activation").hidden = false;
    $("activation").textContent = shown(activation);
    $("reason").hidden = !auth.reason;
    $("reason").textContent = auth.reason ? "reason: " + auth.reason : "";
    if (auth.status === SUCCESS) setSession(true);
    // A verified token (the option is there) that failed: the session is not open.
    if (auth.status !== SUCCESS && auth.option) setSession(false);
    showDiagnosis(auth.option && auth.status !== SUCCESS ? diagnosis : null);
    setStatus(auth.status || "anonymous");
    event("activation: " + (auth.status || "no status") + (auth.reason ? " — " + auth.reason : ""));
  }

  // The token provider, as a brand's page writes it: ask the backend, hand the token over.
  async function fetchToken() {
    var endpoint = $("endpoint").value || "/token";
    var headers = { "Content-Type": "application/json" };
    if ($("access-token").value) headers.Authorization = "Bearer " + $("access-token").value;
    var request = { userId: $("user-id").value };
    // Only when one is picked: a brand's own backend need not know the member.
    if ($("fault").value) request.fault = $("fault").value;
    var response = await fetch(endpoint, {
      method: "POST",
      headers: headers,
      body: JSON.stringify(request),
    });
    var body = await response.json().catch(function () {
      return {};
    });
    if (!response.ok || typeof body.token !== "string") {
      var problem = endpoint + " answered " + response.status + (body.error ? ": " + body.error : "");
      event("token endpoint: " + problem, "refused");
      throw new Error(problem);
    }
    tokenCount += 1;
    event(
      "token " + tokenCount + " from " + endpoint + " (" + body.token.length + " characters" +
        (request.fault ? ", fault " + request.fault : "") + ")"
    );
    showNotices(body.notices);
    // The retries of one login bring the same notices: said once.
    var notices = JSON.stringify(body.notices || []);
    if (notices !== lastNotices) {
      (body.notices || []).forEach(function (notice) {
        event("token " + tokenCount + " notice: " + notice);
      });
    }
    lastNotices = notices;
    return body.token;
  }

  async function provider() {
    return { authenticationOption: { type: "SECURED_AUTHENTICATION", token: await fetchToken() } };
  }

  // Standard tag: the stand-in script, loaded asynchronously as the real tag is.
  var tagLoaded = false;
  function loadTag() {
    if (tagLoaded) return;
    tagLoaded = true;
    var script = document.createElement("script");
    script.src = "/standin.js";
    script.async = true;
    document.head.appendChild(script);
    window.addEventListener("iadvize-standin", function (e) {
      if (e.detail.kind === "verified") verified(e.detail.verification);
      if (e.detail.kind !== "refresh") return;
      var refreshes = Number(document.body.dataset.refreshes) + 1;
      document.body.dataset.refreshes = String(refreshes);
      var auth = (e.detail.activation && e.detail.activation.authentication) || {};
      event("session lifetime over: the provider was called again, " + auth.status);
      if (auth.status !== SUCCESS) setSession(false);
    });
  }

  function standardLogin() {
    loadTag();
    window.iAdvizeInterface.config.standin = standinSettings();
    window.iAdvizeInterface.push(function (iAdvize) {
      iAdvize.activate(provider).then(function (activation) {
        show(activation, iAdvize.standin.lastDiagnosis);
      });
    });
  }

  function standardLogout() {
    window.iAdvizeInterface.push(function (iAdvize) {
      iAdvize.logout().then(loggedOut);
    });
  }

  // Boxed tag: the host side of iAdvize's boxed-tag package, talking to the stand-in iframe.
  var frame = null;
  var frameReady = null;
  var boxedDiagnosis = null;
  function boxedFrame() {
    if (frameReady) return frameReady;
    var settings = standinSettings();
    var query = new URLSearchParams({ sessionLifetime: String(settings.sessionLifetime) });
    if (settings.retryDelay !== undefined) query.set("retryDelay", String(settings.retryDelay));
    frame = document.createElement("iframe");
    frame.id = "iadvize-frame";
    frame.setAttribute("sandbox", "allow-scripts allow-same-origin");
    frameReady = new Promise(function (resolve) {
      frame.addEventListener("load", resolve, { once: true });
    });
    frame.src = "/boxed.html?" + query;
    $("frame-box").appendChild(frame);
    window.iAdvizeBoxedInterface = {
      push: function (message) {
        frame.contentWindow.postMessage(
          { command: "internals", method: message.method, args: message.args },
          "*"
        );
      },
    };
    return frameReady;
  }

  window.addEventListener("message", function (e) {
    if (!frame || e.source !== frame.contentWindow) return;
    var data = e.data || {};
    if (data.command === "iadvize-auth-standin" && data.method === "diagnosis") {
      boxedDiagnosis = data.diagnosis;
    } else if (data.command === "iadvize-auth-standin" && data.method === "verified") {
      verified(data.verification);
    } else if (data.command === "internals" && data.method === "get-activate-auth-token") {
      event("boxed tag: get-activate-auth-token");
      fetchToken().then(
        function (token) {
          window.iAdvizeBoxedInterface.push({ method: "set-activate-auth-token", args: token });
        },
        function () {
          window.iAdvizeBoxedInterface.push({ method: "set-activate-auth-token", args: null });
        }
      );
    } else if (data.command === "internals" && data.method === "activate") {
      show(data.activation, boxedDiagnosis);
    }
  });

  function boxedLogin() {
    boxedFrame().then(function () {
      window.iAdvizeBoxedInterface.push({
        method: "activate",
        args: { authenticationOption: { type: "SECURED_AUTHENTICATION" } },
      });
    });
  }

  function boxedLogout() {
    boxedFrame().then(function () {
      window.iAdvizeBoxedInterface.push({ method: "logout" });
      loggedOut();
    });
  }

  function loggedOut() {
    setSession(false);
    showDiagnosis(null);
    $("reason").hidden = true;
    $("activation").textContent = "";
    $("activation").hidden = true;
    setStatus("logged-out", "logged out");
    event("logged out");
  }

  function login() {
    setStatus("pending", "activating…");
    $("first-view").hidden = true;
    showNotices([]);
    lastNotices = "[]";
    var fault = $("fault").value;
    event(
      "log in as " + JSON.stringify($("user-id").value) + " (" + $("mode").value + " tag" +
        (fault ? ", fault " + fault : "") + ")"
    );
    if ($("mode").value === "boxed") boxedLogin();
    else standardLogin();
  }

  $("login-form").addEventListener("submit", function (e) {
    e.preventDefault();
    login();
  });
  $("logout").addEventListener("click", function () {
    if ($("mode").value === "boxed") boxedLogout();
    else standardLogout();
  });

  fetch("/keys")
    .then(function (response) {
      return response.json();
    })
    .then(function (keys) {
      var recipient = keys.recipient || {};
      $("keys").textContent = recipient.is_iadvize_production
        ? "This server encrypts to iAdvize's production key (--production): only the real tag on " +
          "a staging site can use its tokens, and this page cannot verify them."
        : "Recipient key: stand-in, SHA-256 " + String(recipient.sha256_fingerprint).slice(0, 16) + "…";
    })
    .catch(function () {});

  // With a fault asked for in the query, the picker must hold it first.
  if (params.get("autorun") === "1" && $("user-id").value) {
    if (params.has("fault")) faultsLoaded.then(login);
    else login();
  }
})();
