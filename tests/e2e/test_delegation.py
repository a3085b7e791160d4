"""Delegation, safe for both sides: in two browsers, the assignee cannot rewrite the brief or waive an
item but proposes and requests; the delegator answers from the dashboard; a level-5 task moved to
Done waits for the delegator's acceptance; nothing typed is lost when another part of the page saves."""
import uuid

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.select import Select

from conftest import screenshot
from test_board import api, sign_in, wait


def test_handoff_protects_both_sides(browser, second_browser, server):
    # setup: a new lead with no reports (no Manager field set) delegates a task with a full brief
    email = f"maya-{uuid.uuid4().hex[:6]}@acme.test"
    signup = api(server, "POST", "/api/v1/auth/signup", {"email": email, "password": "maya password 123",
                                                         "name": "Maya Lead", "workspace_name": "Handoff Co"})
    token, workspace = signup["token"], signup["workspace"]["id"]
    invite = api(server, "POST", f"/api/v1/workspaces/{workspace}/invitations", {"email": f"tom-{email}"}, token)
    tom = api(server, "POST", f"/api/v1/invitations/{invite['accept_url'].rsplit('/', 1)[1]}/accept",
              {"name": "Tom Report", "password": "tom password 123"})
    project = api(server, "POST", f"/api/v1/workspaces/{workspace}/projects", {"name": "Launch"}, token)
    stages = {stage["name"]: stage["id"] for stage in project["stages"]}
    task = api(server, "POST", f"/api/v1/projects/{project['id']}/tasks", {
        "title": "Launch page", "assignee_id": tom["user"]["id"],
        "brief": {"outcome": "The launch page is live", "success_criteria": "Legal approved the copy", "delegation_level": 5,
                  "checklist": ["Legal sign-off", "Copy proofread"]}}, token)["task"]
    task_url = f"{server}/w/{workspace}/tasks/{task['id']}"

    # the assignee: the brief is read-only, with the rights in plain words; no Waive button
    sign_in(browser, server, f"tom-{email}", "tom password 123")
    browser.get(task_url)
    assert "Level 5 · Advise: you decide how; Maya Lead reviews before it is done" in browser.page_source
    assert not browser.find_elements(By.ID, "success_criteria")
    assert not browser.find_elements(By.XPATH, "//button[text()='Waive']")
    # …but proposes a change and asks for a waiver
    browser.find_element(By.XPATH, "//h3[text()='Success criteria']/..//summary").click()
    proposal = browser.find_element(By.ID, "propose-success_criteria")
    proposal.clear()
    proposal.send_keys("Legal or the CEO approved the copy")
    browser.find_element(By.ID, "propose-success_criteria-reason").send_keys("Legal is away until the 20th")
    proposal.find_element(By.XPATH, "./ancestor::form//button").click()
    wait(browser).until(EC.text_to_be_present_in_element((By.ID, "proposals-heading"), "Proposed changes"))
    legal = browser.find_element(By.XPATH, "//li[.//span[contains(text(),'Legal sign-off')]]")
    legal.find_element(By.NAME, "reason").send_keys("Legal is on holiday")
    legal.find_element(By.XPATH, ".//button[text()='Ask to waive']").click()
    wait(browser).until(lambda d: "waiver requested: Legal is on holiday" in d.page_source)
    screenshot(browser, "task-assignee")

    # the lead's dashboard shows the delegated work on day one, and what waits for her
    sign_in(second_browser, server, email, "maya password 123")
    second_browser.get(f"{server}/w/{workspace}/dashboard")
    needs = second_browser.find_element(By.CSS_SELECTOR, ".needs-you")
    assert "Launch page" in needs.text and "Proposed brief changes" in needs.text and "Waiver requests" in needs.text
    assert "Tom Report" in second_browser.find_element(By.XPATH, "//h2[text()='Workload']/..").text
    screenshot(second_browser, "dashboard-needs-you")
    second_browser.find_element(By.XPATH, "//h3[text()='Proposed brief changes']/following-sibling::ul[1]//button[text()='Accept']").click()
    wait(second_browser).until(lambda d: "Proposed brief changes" not in d.find_element(By.CSS_SELECTOR, ".needs-you").text)
    second_browser.find_element(By.XPATH, "//h3[text()='Waiver requests']/following-sibling::ul[1]//button[text()='Grant']").click()
    wait(second_browser).until(lambda d: "Waiver requests" not in d.find_element(By.CSS_SELECTOR, ".needs-you").text)

    # the lead's task page: an unsaved outcome survives adding an acceptance item, then saves
    second_browser.get(task_url)
    outcome = second_browser.find_element(By.ID, "outcome")
    outcome.clear()
    outcome.send_keys("The launch page is live and linked from the home page")
    second_browser.find_element(By.ID, "new-item").send_keys("Screenshots attached")
    second_browser.find_element(By.XPATH, "//input[@id='new-item']/../button").click()
    wait(second_browser).until(lambda d: "Screenshots attached" in d.find_element(By.CSS_SELECTOR, "[data-live-region=checklist]").text)
    assert second_browser.find_element(By.ID, "outcome").get_attribute("value") == "The launch page is live and linked from the home page"
    assert second_browser.find_element(By.ID, "success_criteria").get_attribute("value") == "Legal or the CEO approved the copy"
    # a 10,000-character description saves with it
    long_text = ("Plan the page, write the copy, check it with legal. " * 200)[:10000]
    second_browser.execute_script("document.getElementById('description').value = arguments[0];"
                                  "document.getElementById('description').dispatchEvent(new Event('input', {bubbles: true}));", long_text)
    second_browser.find_element(By.CSS_SELECTOR, ".form-actions button.primary").click()
    # (the toast of the item added a moment ago may still show: wait for this save's own)
    wait(second_browser).until(EC.text_to_be_present_in_element((By.ID, "toast"), "Saved."))
    saved = api(server, "GET", f"/api/v1/tasks/{task['id']}", token=token)
    assert saved["brief"]["outcome"] == "The launch page is live and linked from the home page"
    assert len(saved["task"]["description"]) >= 9990
    screenshot(second_browser, "task-delegator")

    # the assignee ticks what is left and moves it to Done: it waits for Maya
    browser.get(task_url)
    for text in ("Copy proofread", "Screenshots attached"):
        browser.find_element(By.CSS_SELECTOR, f"button[aria-label='Check {text}']").click()
        wait(browser).until(lambda d: d.find_elements(By.CSS_SELECTOR, f"button[aria-label='Uncheck {text}']"))
    Select(browser.find_element(By.ID, "stage_id")).select_by_visible_text("Done")
    browser.find_element(By.CSS_SELECTOR, ".form-actions button.primary").click()
    wait(browser).until(EC.text_to_be_present_in_element((By.ID, "review-heading"), "Awaiting Maya Lead’s acceptance"))
    # the form shows where the task is now: in review, not the Done that was asked for
    assert Select(browser.find_element(By.ID, "stage_id")).first_selected_option.text == "In review"
    browser.execute_script("window.scrollTo(0, 0)")
    screenshot(browser, "task-awaiting-acceptance")

    # the lead accepts it from the dashboard
    second_browser.get(f"{server}/w/{workspace}/dashboard")
    second_browser.find_element(By.XPATH, "//h3[text()='Waiting for your acceptance']/following-sibling::ul[1]//button[text()='Accept']").click()
    wait(second_browser).until(lambda d: "Waiting for your acceptance" not in d.find_element(By.CSS_SELECTOR, ".needs-you").text)
    done = api(server, "GET", f"/api/v1/tasks/{task['id']}", token=token)["task"]
    assert done["stage_id"] == stages["Done"] and done["completed_at"]
