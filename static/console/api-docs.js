// The API reference page (/api/v1/docs): Swagger UI on the schema named by the page. A static
// file, so the Content-Security-Policy needs no inline script. "Try it out" sends the token
// given under "Authorize"; cookies are never used by the API.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || typeof SwaggerUIBundle !== "function") return;
  SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    deepLinking: true,
    layout: "BaseLayout",
    presets: [SwaggerUIBundle.presets.apis],
    withCredentials: false,
  });
})();
