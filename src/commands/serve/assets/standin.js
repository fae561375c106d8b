// A stand-in for iAdvize's tag, served by `iadvize-auth serve` for rehearsals: it keeps the
// documented contract of the real tag (the iAdvizeInterface queue, iAdvize.activate(provider),
// iAdvize.logout(), iAdvize's own reason strings, three retries), but sends each token to this
// server's /verify instead of to iAdvize. Swap the real tag's script for this one and run the
// page's integration code unchanged.
//
// Settings, all optional, in iAdvizeInterface.config.standin:
//   sessionLifetime  seconds before the provider is called again (default 3600, as iAdvize's
//                    60-minute visitor session)
//   retryDelay       milliseconds between retries (default 300)
//   verifyUrl        the verifier (default: /verify next to this script)
//   accessToken      sent as `Authorization: Bearer …` when the server has --access-token-file
//
// iAdvize.standin holds what the real tag does not show: the last /verify answer and its
// diagnosis (the checks of `iadvize-auth inspect`, not iAdvize's words). Each answer of /verify
// is also dispatched on window as an `iadvize-standin` event of kind "verified".
(function () {
  "use strict";

  var REASONS = {
    invalidOption: "A valid authentication option must be provided",
    ongoing: "An activation is already ongoing",
    twice: "Can't activate twice, please logout first",
    serverError: "Failed to fetch authentication with a server error",
  };
  var SUCCESS = "authentication-success";
  var FAILURE = "authentication-failure";
  var SECURED = "SECURED_AUTHENTICATION";
  // iAdvize's README says ANONYMOUS, its TypeScript types ANONYMOUS_AUTHENTICATION.
  var ANONYMOUS = ["ANONYMOUS", "ANONYMOUS_AUTHENTICATION"];
  var RETRIES = 3;
  var PREFIX = "[iadvize-auth stand-in]";

  var script = document.currentScript;
  var defaultVerifyUrl = new URL("/verify", script && script.src ? script.src : location.href).href;

  var state = "idle"; // "activating", "active"
  var generation = 0;
  var refreshTimer = null;

  function settings() {
    var config = (window.iAdvizeInterface && window.iAdvizeInterface.config) || {};
    var own = config.standin || {};
    return {
      sessionLifetime: Number(own.sessionLifetime) > 0 ? Number(own.sessionLifetime) : 3600,
      retryDelay: Number(own.retryDelay) >= 0 ? Number(own.retryDelay) : 300,
      verifyUrl: own.verifyUrl || defaultVerifyUrl,
      accessToken: own.accessToken || null,
    };
  }

  var standin = {
    verifyUrl: defaultVerifyUrl,
    lastVerification: null,
    lastDiagnosis: null,
    providerCalls: 0,
    verifications: 0,
    refreshes: 0,
  };

  function failure(reason, option) {
    var authentication = option
      ? { option: option, status: FAILURE, reason: reason }
      : { status: FAILURE, reason: reason };
    return { authentication: authentication };
  }

  function sleep(ms) {
    return new Promise(function (resolve) {
      setTimeout(resolve, ms);
    });
  }

  function emit(kind, activation, verification) {
    window.dispatchEvent(
      new CustomEvent("iadvize-standin", {
        detail: { kind: kind, activation: activation, verification: verification || null },
      })
    );
  }

  // The provider's answer, if it is one iAdvize accepts.
  function validOption(result) {
    var option = result && result.authenticationOption;
    if (!option || typeof option !== "object") return null;
    if (option.type === SECURED && typeof option.token === "string" && option.token !== "") {
      return { type: SECURED, token: option.token };
    }
    if (ANONYMOUS.indexOf(option.type) >= 0) return { type: option.type };
    return null;
  }

  async function verify(token) {
    var s = settings();
    // text/plain keeps a cross-origin call a simple request: no preflight without a secret.
    var headers = { "Content-Type": "text/plain" };
    if (s.accessToken) headers.Authorization = "Bearer " + s.accessToken;
    standin.verifications += 1;
    var response = await fetch(s.verifyUrl, {
      method: "POST",
      headers: headers,
      body: token,
      credentials: "omit",
    });
    var body = await response.json();
    if (!response.ok) {
      throw new Error(s.verifyUrl + " answered " + response.status + ": " + (body.error || ""));
    }
    return body;
  }

  function explain(answer) {
    var report = answer.diagnosis && answer.diagnosis.report;
    var failed = ((report && report.checks) || []).filter(function (check) {
      return check.status === "fail";
    });
    console.warn(
      PREFIX + " the token was refused; iAdvize would say only \"" + REASONS.serverError +
        "\". Diagnosis (" + answer.diagnosis.source + "):\n" +
        failed
          .map(function (check) {
            return "  " + check.id + ": " + check.message + (check.hint ? " — fix: " + check.hint : "");
          })
          .join("\n") +
        (answer.diagnosis.standin_note ? "\n  (" + answer.diagnosis.standin_note + ")" : "")
    );
  }

  // One secured authentication: the provider, then the verifier, retried as iAdvize does
  // (three times) when either fails.
  async function authenticate(provider) {
    var lastOption = null;
    for (var attempt = 0; attempt <= RETRIES; attempt += 1) {
      if (attempt > 0) await sleep(settings().retryDelay);
      var result;
      try {
        standin.providerCalls += 1;
        result = await provider();
      } catch (err) {
        console.warn(PREFIX + " the provider failed (attempt " + (attempt + 1) + "): " + err);
        continue;
      }
      var option = validOption(result);
      if (!option) return { activation: failure(REASONS.invalidOption), ok: false };
      if (option.type !== SECURED) {
        return { activation: { authentication: { option: option } }, ok: true };
      }
      lastOption = option;
      var answer;
      try {
        answer = await verify(option.token);
      } catch (err) {
        console.warn(PREFIX + " the verifier failed (attempt " + (attempt + 1) + "): " + err);
        continue;
      }
      standin.lastVerification = answer;
      standin.lastDiagnosis = answer.diagnosis || null;
      emit("verified", null, answer);
      if (answer.authentication && answer.authentication.status === SUCCESS) {
        return { activation: { authentication: answer.authentication }, ok: true };
      }
      explain(answer);
    }
    return { activation: failure(REASONS.serverError, lastOption), ok: false };
  }

  function scheduleRefresh(provider, mine) {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(function () {
      if (mine !== generation || state !== "active") return;
      authenticate(provider).then(function (outcome) {
        if (mine !== generation) return;
        standin.refreshes += 1;
        if (outcome.ok) {
          scheduleRefresh(provider, mine);
        } else {
          state = "idle";
        }
        emit("refresh", outcome.activation);
      });
    }, settings().sessionLifetime * 1000);
  }

  var iAdvize = {
    activate: function (provider) {
      if (state === "activating") return Promise.resolve(failure(REASONS.ongoing));
      if (state === "active") return Promise.resolve(failure(REASONS.twice));
      if (typeof provider !== "function") return Promise.resolve(failure(REASONS.invalidOption));
      state = "activating";
      generation += 1;
      var mine = generation;
      return authenticate(provider).then(function (outcome) {
        // Logged out meanwhile: the result is returned, but no session is opened.
        if (mine !== generation) return outcome.activation;
        state = outcome.ok ? "active" : "idle";
        if (outcome.ok && outcome.activation.authentication.status === SUCCESS) {
          scheduleRefresh(provider, mine);
        }
        emit("activate", outcome.activation);
        return outcome.activation;
      });
    },
    logout: function () {
      generation += 1;
      state = "idle";
      clearTimeout(refreshTimer);
      emit("logout", null);
      return Promise.resolve();
    },
    standin: standin,
  };

  function run(fn) {
    try {
      fn(iAdvize);
    } catch (err) {
      console.error(PREFIX + " a function pushed to iAdvizeInterface threw:", err);
    }
  }

  var queue = Array.isArray(window.iAdvizeInterface) ? window.iAdvizeInterface : [];
  var pending = queue.splice(0, queue.length);
  // Pushed after loading: runs at once.
  queue.push = function () {
    for (var i = 0; i < arguments.length; i += 1) run(arguments[i]);
    return queue.length;
  };
  window.iAdvizeInterface = queue;
  window.iAdvize = iAdvize;
  pending.forEach(run);
})();
