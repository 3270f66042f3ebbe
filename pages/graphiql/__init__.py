"""GraphiQL, served whole by this server: `index.html`, its boot script `boot.js`, its styles
`graphiql-page.css`, the walkthrough it opens with (`walkthrough.graphql`), and the pinned
GraphiQL, React and explorer plugin builds in `vendor/` (see `refresh.py`)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from starlette.responses import HTMLResponse

from pages.assets import ASSETS, Assets
from pages.security_headers import content_security_policy, html_headers

HERE = Path(__file__).resolve().parent
# GraphiQL's dialogs and menus (Radix, through react-remove-scroll-bar) lock the page's scroll
# by adding one <style> element, whose text depends only on the body's margins and scroll bar
# gap: graphiql-page.css makes both zero, so the text is always the same and this hash allows
# it alone. Not 'unsafe-inline', which would allow any injected style; a nonce cannot reach
# that library inside GraphiQL's bundle. Without it the style is refused (an error in the
# console each time a dialog opens). tests/test_graphiql_browser.py opens the dialogs.
SCROLL_LOCK_STYLE = "'sha256-Y/huXlwoYkVyQlxwSVcCi1RCDGDCSVBzDt0hYP9qlTc='"
# GraphiQL's stylesheet embeds its fonts and a few images as data: URLs. Everything else,
# scripts, styles, and the fetches to /graphql, comes from this origin alone.
POLICY = content_security_policy(
    {"style-src": [SCROLL_LOCK_STYLE], "font-src": ["data:"], "img-src": ["data:"]}
)
_ASSET_URL = re.compile(r'(?<=")/pages/[^"?#]+(?=")')


@cache
def page_html(assets: Assets = ASSETS) -> str:
    """index.html, each `/pages/...` URL in it given its content version."""
    html = (HERE / "index.html").read_text()
    return _ASSET_URL.sub(lambda match: assets.versioned(match.group()), html)


def page_response() -> HTMLResponse:
    # Revalidated on every visit, so a server with new assets is seen at once.
    headers = {**html_headers(POLICY), "Cache-Control": "no-cache"}
    return HTMLResponse(page_html(), headers=headers)
