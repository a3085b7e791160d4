"""Layout at desk and phone widths: the month calendar keeps seven equal columns whatever the labels;
the top bar folds into a menu; a guest sees names, not emails; ? lists every shortcut."""
import datetime
import uuid

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from conftest import screenshot
from test_board import api, sign_in, wait

COLUMN_WIDTHS = """
return Array.from(document.querySelectorAll('.calendar .cal-row')).map(row =>
  Array.from(row.children).map(cell => Math.round(cell.getBoundingClientRect().width * 10) / 10));
"""


def test_calendar_columns_and_small_screens(browser, server):
    # setup: tasks with short and very long titles on several days of this month, and a guest
    email = f"lead-{uuid.uuid4().hex[:6]}@acme.test"
    signup = api(server, "POST", "/api/v1/auth/signup", {"email": email, "password": "lead password 123",
                                                         "name": "Maya Lead", "workspace_name": "Layout Co"})
    token, workspace = signup["token"], signup["workspace"]["id"]
    project = api(server, "POST", f"/api/v1/workspaces/{workspace}/projects", {"name": "Launch"}, token)
    today = datetime.date.today()
    for offset, title in [(0, "Call"), (1, "Write the extraordinarily long launch announcement for every partner region"),
                          (2, "Sign"), (3, "Supercalifragilisticexpialidocious-without-any-spaces-at-all-in-it"), (5, "QA")]:
        day = today.replace(day=min(28, max(1, today.day - 2 + offset)))
        api(server, "POST", f"/api/v1/projects/{project['id']}/tasks",
            {"title": title, "due_at": f"{day.isoformat()}T12:00:00Z"}, token)
    invite = api(server, "POST", f"/api/v1/workspaces/{workspace}/invitations", {"email": f"gus-{email}", "role": "guest"}, token)
    gus = api(server, "POST", f"/api/v1/invitations/{invite['accept_url'].rsplit('/', 1)[1]}/accept",
              {"name": "Gus Guest", "password": "gus password 1234"})
    api(server, "POST", f"/api/v1/projects/{project['id']}/members", {"user_id": gus["user"]["id"]}, token)

    sign_in(browser, server, email, "lead password 123")
    for width in (1440, 390):
        browser.set_window_size(width, 900)
        browser.get(f"{server}/w/{workspace}/calendar")
        rows = browser.execute_script(COLUMN_WIDTHS)
        assert len(rows) >= 5
        for widths in rows:
            assert len(widths) == 7 and max(widths) - min(widths) <= 1.0, (width, widths)
        assert len({tuple(widths) for widths in rows}) == 1, rows
        # nothing spills sideways
        assert browser.execute_script("return document.documentElement.scrollWidth") <= width + 1
        screenshot(browser, f"calendar-{width}")

    # below 700 px the top bar folds into a menu
    browser.get(f"{server}/w/{workspace}/projects/{project['id']}")
    nav = browser.find_element(By.ID, "modules")
    assert not nav.is_displayed()
    browser.find_element(By.CSS_SELECTOR, ".menu-toggle").click()
    assert nav.is_displayed()
    # a card offers a stage choice for touch; the board's columns scroll inside it
    assert browser.find_elements(By.CSS_SELECTOR, ".task-card select[data-move-card]")
    lanes = browser.find_element(By.CSS_SELECTOR, ".lanes")
    assert lanes.size["width"] <= 390
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 391
    screenshot(browser, "board-390")
    browser.set_window_size(1280, 900)

    # ? lists every shortcut
    browser.find_element(By.TAG_NAME, "body").send_keys("?")
    help_text = wait(browser).until(EC.visibility_of_element_located((By.CSS_SELECTOR, ".kbd-help"))).text
    for expected in ("Work", "Dashboard", "[", "]", "Enter", "this help"):
        assert expected in help_text, help_text

    # a guest sees the people on their project by name, without emails
    browser.delete_all_cookies()
    sign_in(browser, server, f"gus-{email}", "gus password 1234", lands="/w/")
    browser.get(f"{server}/w/{workspace}/people")
    people = browser.find_element(By.TAG_NAME, "main").text
    assert "Maya Lead" in people and "Gus Guest" in people
    assert "@" not in people
    screenshot(browser, "people-guest")
