// Boots GraphiQL on this server's /graphql, from a file rather than an inline script: the
// page's Content-Security-Policy runs scripts from this origin only.
(function () {
  "use strict";

  var root = document.getElementById("graphiql");

  // Where the token from `login` goes.
  var HEADERS = '{\n  "Authorization": "Bearer <token>"\n}\n';
  // The demo's administrator (`opsportal demo --password demo-harbour-lantern`), for the Login
  // operation, and a typeahead search for CompanySearch.
  var VARIABLES =
    '{\n  "email": "admin@demo.example",\n  "password": "demo-harbour-lantern",\n' +
    '  "search": "acme sup"\n}\n';

  // Headers are not kept in the browser's storage unless the user turned that on in
  // GraphiQL's settings ("Persist headers"): GraphiQL stores that choice but lets the
  // shouldPersistHeaders prop override it on every load, so the prop passes the choice on.
  function persistHeaders() {
    try {
      return window.localStorage.getItem("graphiql:shouldPersistHeaders") === "true";
    } catch (error) {
      return false; // storage refused: nothing is kept anyway
    }
  }

  function start(walkthrough) {
    var props = {
      fetcher: GraphiQL.createFetcher({ url: root.dataset.endpoint }),
      plugins: [GraphiQLPluginExplorer.explorerPlugin()],
      defaultQuery: walkthrough,
      defaultTabs: [{ query: walkthrough, variables: VARIABLES }],
      // defaultTabs fills the tab's stored state but not the editor: the editor takes this.
      variables: VARIABLES,
      defaultHeaders: HEADERS,
      defaultEditorToolsVisibility: "headers",
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: persistHeaders(),
      showPersistHeadersSettings: true,
      inputValueDeprecation: true,
    };
    ReactDOM.createRoot(root).render(React.createElement(GraphiQL, props));
  }

  fetch(root.dataset.walkthrough)
    .then(function (answer) {
      if (!answer.ok) {
        throw new Error("the walkthrough answered " + answer.status);
      }
      return answer.text();
    })
    .catch(function (error) {
      return "# The walkthrough could not be loaded (" + error.message + ").\n";
    })
    .then(start);
})();
