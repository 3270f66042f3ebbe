"""Every static page of the server, and the files they load, in one package.

GraphiQL (`pages/graphiql/`) now; later the staff console and the buyer storefront. Each page
lives in its own sub-package with its HTML, its own script and styles (no inline script or
style: the pages' Content-Security-Policy forbids them) and any vendored files, which
`pages.assets` serves from this server under `/pages/...`: nothing a page needs comes from
another site.
"""
