"""GraphiQL in a real Chromium against a real `opsportal serve`, other hosts unreachable."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.browser import DEMO_PASSWORD, WatchedPage

OpenPage = Callable[[str], WatchedPage]
QUERY_EDITOR = ".graphiql-query-editor .CodeMirror"
STORAGE = "JSON.stringify(Object.assign({}, window.localStorage))"
RESULT = ".result-window .CodeMirror"
HEADERS_TAB = "button.graphiql-un-styled:text-is('Headers')"


def graphiql(open_page: OpenPage, base: str) -> WatchedPage:
    watched = open_page(f"{base}/graphql")
    watched.page.locator(QUERY_EDITOR).wait_for()
    expect(watched.page.locator("#graphiql")).not_to_contain_text("Loading...")
    return watched


def editor_value(page: Page, selector: str) -> str:
    return page.locator(selector).first.evaluate("element => element.CodeMirror.getValue()")


EDITOR_TOOL = ".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror"


def headers_editor(page: Page) -> str:
    """The selector of the headers pane's editor, the pane opened."""
    page.locator(HEADERS_TAB).click()
    return EDITOR_TOOL


def type_into(page: Page, selector: str, text: str) -> None:
    """Replace an editor's text by typing, key by key, as a person would."""
    page.locator(selector).first.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type(text)
    page.keyboard.press("Escape")  # close an autocompletion list left open
    # The editors close brackets and quotes as one types; typing over them gives this back.
    assert editor_value(page, selector) == text


def run(page: Page) -> dict[str, object]:
    """Click the run button for the one operation typed; the response pane's JSON once it
    shows a new answer."""
    before = editor_value(page, RESULT)
    button = page.locator(".graphiql-execute-button")
    # GraphiQL reads the operations a tenth of a second after typing; until then the button
    # still offers the walkthrough's operations as a menu.
    expect(button).not_to_have_attribute("aria-haspopup", "menu")
    button.click()
    page.wait_for_function(
        "([selector, before]) => {"
        "  const text = document.querySelector(selector).CodeMirror.getValue();"
        "  return text !== before && text.includes('\"data\"'); }",
        arg=[RESULT, before],
        timeout=15_000,
    )
    return json.loads(editor_value(page, RESULT))


def test_graphiql_renders_from_this_server_alone(open_page: OpenPage, demo_server: str) -> None:
    watched = graphiql(open_page, demo_server)
    page = watched.page
    # The walkthrough is open, with its sign-in note and the Authorization header example.
    query = editor_value(page, QUERY_EDITOR)
    assert "Signing in: run Login below" in query
    assert "mutation Login($email: String!, $password: String!)" in query
    assert "query CustomerDetails($id: ID!)" in query
    headers = json.loads(editor_value(page, headers_editor(page)))
    assert headers == {"Authorization": "Bearer <token>"}
    # Its dialogs and menus open under the page's Content-Security-Policy without a refusal.
    for dialog in ("Open settings dialog", "Open short keys dialog"):
        page.get_by_role("button", name=dialog).click()
        expect(page.get_by_role("dialog")).to_be_visible()
        page.keyboard.press("Escape")
        expect(page.get_by_role("dialog")).to_have_count(0)
    page.locator(".graphiql-execute-button").click()  # several operations: a menu to pick one
    expect(page.get_by_role("menuitem", name="CompanySearch")).to_be_visible()
    page.keyboard.press("Escape")
    assert any("/pages/graphiql/vendor/graphiql/graphiql.min.js" in u for u in watched.requested)
    watched.assert_clean()


def test_the_default_login_runs_with_the_default_variables(
    open_page: OpenPage, demo_server: str
) -> None:
    page = graphiql(open_page, demo_server).page
    page.locator("button.graphiql-un-styled:text-is('Variables')").click()
    variables = json.loads(editor_value(page, EDITOR_TOOL))
    assert variables["email"] == "admin@demo.example"
    before = editor_value(page, RESULT)
    page.locator(".graphiql-execute-button").click()
    page.get_by_role("menuitem", name="Login", exact=True).click()
    page.wait_for_function(
        "([selector, before]) => {"
        "  const text = document.querySelector(selector).CodeMirror.getValue();"
        "  return text !== before && text.includes('\"data\"'); }",
        arg=[RESULT, before],
        timeout=15_000,
    )
    # The variables were sent: the demo's README password is not this test server's.
    login = json.loads(editor_value(page, RESULT))["data"]["login"]
    assert [e["code"] for e in login["errors"]] == ["INVALID_CREDENTIALS"]


def test_the_documentation_explorer_lists_query_companies(
    open_page: OpenPage, demo_server: str
) -> None:
    watched = graphiql(open_page, demo_server)
    page = watched.page
    page.get_by_role("button", name="Show Documentation Explorer").click()
    root_types = page.locator("div:has(> .graphiql-doc-explorer-root-type)")
    root_types.locator("a.graphiql-doc-explorer-type-name", has_text="Query").click()
    expect(page.locator(".graphiql-doc-explorer-title")).to_have_text("Query")
    companies = page.locator(
        "a.graphiql-doc-explorer-field-name", has_text=re.compile("^companies$")
    )
    expect(companies).to_be_visible()
    companies.click()  # and its documentation, from the schema's descriptions
    expect(page.locator(".graphiql-doc-explorer-title")).to_have_text("companies")
    watched.assert_clean()


def test_a_typed_query_runs_and_shows_its_result(open_page: OpenPage, demo_server: str) -> None:
    watched = graphiql(open_page, demo_server)
    page = watched.page
    type_into(
        page,
        QUERY_EDITOR,
        f'mutation {{ login(email: "admin@demo.example", password: "{DEMO_PASSWORD}") '
        "{ token errors { code } } }",
    )
    login = run(page)["data"]["login"]  # type: ignore[index]
    assert login["errors"] == [] and login["token"]
    type_into(page, headers_editor(page), f'{{"Authorization": "Bearer {login["token"]}"}}')
    type_into(
        page, QUERY_EDITOR, '{ companies(search: "acme sup") { edges { node { name code } } } }'
    )
    answer = run(page)
    assert answer == {
        "data": {
            "companies": {"edges": [{"node": {"name": "Acme Supplies Ltd", "code": "C000042"}}]}
        }
    }
    watched.assert_clean()


def test_headers_are_not_kept_in_the_browser_unless_asked(
    open_page: OpenPage, demo_server: str
) -> None:
    watched = graphiql(open_page, demo_server)
    page = watched.page
    secret = "Bearer typed-token-0123456789"
    type_into(page, headers_editor(page), f'{{"Authorization": "{secret}"}}')
    type_into(page, QUERY_EDITOR, "{ viewer { email } }")

    def stored() -> str:
        return page.evaluate(STORAGE)

    def wait_stored(text: str) -> None:
        # GraphiQL stores its tabs (with their headers, when it keeps them) half a second after
        # the last change, and the headers pane alone half a second after its last change.
        tabs = "window.localStorage.getItem('graphiql:tabState') || ''"
        page.wait_for_function(f"() => ({tabs}).includes({json.dumps(text)})")

    # The tabs are stored with the query typed after the header: without the header.
    wait_stored("viewer { email }")
    assert "typed-token" not in stored()
    page.reload()
    page.locator(QUERY_EDITOR).wait_for()
    assert "typed-token" not in editor_value(page, headers_editor(page))

    # Turned on in the settings, headers are kept, and survive a reload.
    page.get_by_role("button", name="Open settings dialog").click()
    page.locator("#enable-persist-headers").click()
    page.keyboard.press("Escape")
    type_into(page, headers_editor(page), f'{{"Authorization": "{secret}"}}')
    wait_stored("typed-token")
    page.reload()
    page.locator(QUERY_EDITOR).wait_for()
    assert secret in editor_value(page, headers_editor(page))
    watched.assert_clean()
