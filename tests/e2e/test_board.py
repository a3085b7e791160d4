"""Drag a card on the board; the manager dashboard open in a second window changes without a reload."""
import datetime
import json
import urllib.request
import uuid

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.ui import WebDriverWait

from conftest import screenshot


def api(server, method, path, body=None, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(server + path, method=method, headers=headers,
                                     data=json.dumps(body).encode() if body is not None else None)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response) if response.status != 204 else None


def wait(driver):
    """Waits that retry when a live refresh replaced the element being read."""
    return WebDriverWait(driver, 10, ignored_exceptions=(StaleElementReferenceException,))


def sign_in(driver, server, email, password, lands="/my-work"):
    driver.get(server + "/login")
    driver.find_element(By.NAME, "email").send_keys(email)
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "button.primary").click()
    # someone with no reports lands on their own work, a lead with reports on the dashboard
    wait(driver).until(EC.url_contains(lands))


# Finds the card (by its title) and the column (by CSS) when it runs: a live refresh of the board
# may replace the elements between a lookup in Python and the drag.
DRAG = """
const [title, columnSelector] = arguments;
const card = document.evaluate(`//li[contains(@class,'task-card')][.//a[text()='${title}']]`, document, null,
                               XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue;
const column = document.querySelector(columnSelector);
const data = new DataTransfer();
card.dispatchEvent(new DragEvent('dragstart', {dataTransfer: data, bubbles: true}));
column.dispatchEvent(new DragEvent('dragover', {dataTransfer: data, bubbles: true, cancelable: true}));
column.dispatchEvent(new DragEvent('drop', {dataTransfer: data, bubbles: true, cancelable: true}));
card.dispatchEvent(new DragEvent('dragend', {dataTransfer: data, bubbles: true}));
"""


def stat(driver, label):
    for box in driver.find_elements(By.CSS_SELECTOR, ".stat"):
        if box.find_element(By.CSS_SELECTOR, ".stat-label").text == label:
            return box.find_element(By.CSS_SELECTOR, ".stat-value").text
    return None


def test_drag_card_updates_dashboard_live(browser, second_browser, server):
    # setup through the API: a manager, a report, a project and two tasks
    email = f"lead-{uuid.uuid4().hex[:6]}@acme.test"
    signup = api(server, "POST", "/api/v1/auth/signup", {"email": email, "password": "lead password 123",
                                                         "name": "Maya Lead", "workspace_name": "Board Co"})
    token, workspace, owner = signup["token"], signup["workspace"]["id"], signup["user"]["id"]
    invite = api(server, "POST", f"/api/v1/workspaces/{workspace}/invitations", {"email": f"tom-{email}"}, token)
    tom = api(server, "POST", f"/api/v1/invitations/{invite['accept_url'].rsplit('/', 1)[1]}/accept",
              {"name": "Tom Report", "password": "tom password 123"})
    api(server, "PATCH", f"/api/v1/workspaces/{workspace}/members/{tom['user']['id']}", {"manager_id": owner}, token)
    project = api(server, "POST", f"/api/v1/workspaces/{workspace}/projects", {"name": "Launch"}, token)
    stages = {stage["name"]: stage["id"] for stage in project["stages"]}
    api(server, "POST", f"/api/v1/projects/{project['id']}/tasks",
        {"title": "Write the plan", "assignee_id": tom["user"]["id"]}, token)
    api(server, "POST", f"/api/v1/projects/{project['id']}/tasks",
        {"title": "Sign the contract", "assignee_id": tom["user"]["id"], "brief": {"checklist": ["Legal approved"]}}, token)

    # the manager's dashboard in a second window
    sign_in(second_browser, server, email, "lead password 123", lands=f"/w/{workspace}/dashboard")
    wait(second_browser).until(EC.text_to_be_present_in_element((By.ID, "live"), "Live"))
    assert stat(second_browser, "In progress") == "0"
    assert stat(second_browser, "To do") == "2"
    second_browser.execute_script("window.__noReload = true;")
    screenshot(second_browser, "dashboard-before")

    # the board in the first window: drag the card to In progress
    sign_in(browser, server, email, "lead password 123", lands="/dashboard")
    browser.get(f"{server}/w/{workspace}/projects/{project['id']}")
    wait(browser).until(EC.text_to_be_present_in_element((By.ID, "live"), "Live"))
    browser.execute_script(DRAG, "Write the plan", f".column[data-stage-id='{stages['In progress']}']")
    wait(browser).until(lambda d: d.find_element(
        By.XPATH, f"//section[@data-stage-id='{stages['In progress']}']//a[text()='Write the plan']"))
    screenshot(browser, "board")

    # the dashboard changed by itself
    wait(second_browser).until(lambda d: stat(d, "In progress") == "1")
    assert stat(second_browser, "To do") == "1"
    assert second_browser.execute_script("return window.__noReload === true;")
    screenshot(second_browser, "dashboard-after")

    # the server agrees
    tasks = api(server, "GET", f"/api/v1/projects/{project['id']}/tasks?stage={stages['In progress']}", token=token)
    assert [task["title"] for task in tasks["data"]] == ["Write the plan"]

    # a card with an open acceptance item cannot be dragged to Done: the card returns and says why
    browser.execute_script(DRAG, "Sign the contract", f".column[data-stage-id='{stages['Done']}']")
    toast = wait(browser).until(EC.visibility_of_element_located((By.ID, "toast")))
    assert "Legal approved" in toast.text
    wait(browser).until(lambda d: d.find_element(
        By.XPATH, f"//section[@data-stage-id='{stages['To do']}']//a[text()='Sign the contract']"))
    screenshot(browser, "board-done-refused")

    # keyboard: focus a card and press ] to move it one stage (In progress → In review: no Blocked stage, blocked is a flag)
    browser.execute_script("document.evaluate(\"//li[contains(@class,'task-card')][.//a[text()='Write the plan']]\", document, null,"
                           " XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue.focus();")
    browser.switch_to.active_element.send_keys("]")
    wait(browser).until(lambda d: d.find_element(
        By.XPATH, f"//section[@data-stage-id='{stages['In review']}']//a[text()='Write the plan']"))
    assert "Blocked" not in stages

    # swimlanes by assignee: a card dropped in another person's lane is handed to them (and changes stage)
    soon = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)).strftime("%Y-%m-%dT12:00:00Z")
    api(server, "POST", f"/api/v1/projects/{project['id']}/tasks",
        {"title": "Book the venue", "assignee_id": owner, "due_at": soon,
         "description": "Find a venue for **40 people** near the office.\n\n- [x] Ask for the budget\n- [ ] Shortlist three\n\n"
                        "Use the `venues` sheet; see [the brief](https://example.com/brief).\n\n<script>alert(1)</script>"}, token)
    browser.get(f"{server}/w/{workspace}/projects/{project['id']}?lanes=assignee")
    wait(browser).until(EC.text_to_be_present_in_element((By.ID, "live"), "Live"))
    lanes = [lane.get_attribute("aria-label") for lane in browser.find_elements(By.CSS_SELECTOR, "section.lane")]
    assert lanes == ["Maya Lead", "Tom Report"]
    browser.execute_script(DRAG, "Write the plan", f".column[data-stage-id='{stages['In review']}'][data-assignee='{owner}']")
    wait(browser).until(lambda d: d.find_element(
        By.XPATH, f"//section[@data-assignee='{owner}'][@data-stage-id='{stages['In review']}']//a[text()='Write the plan']"))
    moved = api(server, "GET", f"/api/v1/projects/{project['id']}/tasks?stage={stages['In review']}", token=token)["data"]
    assert [(task["title"], task["assignee_id"]) for task in moved] == [("Write the plan", owner)]
    screenshot(browser, "board-lanes")

    # the calendar's week view shows the task on its day, with who has it
    browser.get(f"{server}/w/{workspace}/calendar?view=week&week={soon[:10]}")
    cell = browser.find_element(By.CSS_SELECTOR, f".cal-day[aria-label='{soon[:10]}']")
    assert "Book the venue" in cell.text and "Maya Lead" in cell.text
    screenshot(browser, "calendar-week")

    # the task page: add a subtask and a watcher without leaving it
    browser.find_element(By.PARTIAL_LINK_TEXT, "Book the venue").click()
    browser.find_element(By.ID, "subtask-title").send_keys("Compare three venues" + Keys.ENTER)
    wait(browser).until(lambda d: d.find_elements(By.LINK_TEXT, "Compare three venues"))
    Select(browser.find_element(By.ID, "watcher-add")).select_by_visible_text("Tom Report")
    browser.find_element(By.XPATH, "//button[text()='Add watcher']").click()
    wait(browser).until(lambda d: "Tom Report" in d.find_element(By.CSS_SELECTOR, "ul.watchers").text)
    # its description is markdown, rendered; a script in it is text
    description = browser.find_element(By.CSS_SELECTOR, "section.task-description")
    assert description.find_element(By.TAG_NAME, "strong").text == "40 people"
    assert len(description.find_elements(By.CSS_SELECTOR, "li.task input[type=checkbox]")) == 2
    assert "<script>alert(1)</script>" in description.text and not description.find_elements(By.TAG_NAME, "script")
    screenshot(browser, "task-description")
    browser.execute_script("document.querySelector('ul.subtasks').scrollIntoView({block: 'center'});")
    screenshot(browser, "task-page")
