// The iframe side of iAdvize's boxed (sandboxed iframe) tag, on the stand-in tag: the host
// page pushes { method, args }, which arrive as { command: 'internals', method, args }
// messages. A secured activation asks the host for each token with get-activate-auth-token,
// the host answers set-activate-auth-token, and the activation object goes back as
// { command: 'internals', method: 'activate', activation }.
//
// Query parameters set the stand-in's settings: ?sessionLifetime=SECONDS&retryDelay=MS.
(function () {
  "use strict";

  var params = new URLSearchParams(location.search);
  var config = window.iAdvizeInterface.config || (window.iAdvizeInterface.config = {});
  config.standin = config.standin || {};
  ["sessionLifetime", "retryDelay"].forEach(function (name) {
    if (params.has(name)) config.standin[name] = Number(params.get(name));
  });

  var waiting = [];

  // Each verdict of the stand-in, for the host page's events (not part of iAdvize's protocol).
  window.addEventListener("iadvize-standin", function (event) {
    if (event.detail.kind !== "verified") return;
    parent.postMessage(
      { command: "iadvize-auth-standin", method: "verified", verification: event.detail.verification },
      "*"
    );
  });

  function toHost(message) {
    message.command = "internals";
    parent.postMessage(message, "*");
  }

  // Each time a token is needed, ask the host page for one.
  function securedProvider() {
    return new Promise(function (resolve) {
      waiting.push(resolve);
      toHost({ method: "get-activate-auth-token" });
    }).then(function (token) {
      if (typeof token !== "string" || token === "") {
        throw new Error("the host page answered set-activate-auth-token without a token");
      }
      return { authenticationOption: { type: "SECURED_AUTHENTICATION", token: token } };
    });
  }

  window.addEventListener("message", function (event) {
    if (event.source !== parent) return;
    var data = event.data || {};
    if (data.command !== "internals") return;
    if (data.method === "activate") {
      var option = data.args && data.args.authenticationOption;
      var provider =
        option && option.type === "SECURED_AUTHENTICATION"
          ? securedProvider
          : function () {
              return Promise.resolve(data.args);
            };
      window.iAdvizeInterface.push(function (iAdvize) {
        iAdvize.activate(provider).then(function (activation) {
          // This tool's diagnosis first, in a message of its own: not part of iAdvize's protocol.
          parent.postMessage(
            { command: "iadvize-auth-standin", method: "diagnosis", diagnosis: iAdvize.standin.lastDiagnosis },
            "*"
          );
          toHost({ method: "activate", activation: activation });
        });
      });
    } else if (data.method === "set-activate-auth-token") {
      var resolve = waiting.shift();
      if (resolve) resolve(data.args);
    } else if (data.method === "logout") {
      window.iAdvizeInterface.push(function (iAdvize) {
        iAdvize.logout();
      });
    }
  });
})();
