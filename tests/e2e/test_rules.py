"""A team lead makes a rule in the browser without reading docs: the rules page with the defaults,
the editor (when → if → then) whose preview follows what is typed, then the rule at work when the
assignee flags the task blocked, and its run history."""
import uuid

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from conftest import screenshot
from test_board import api, sign_in, wait


def test_lead_makes_a_rule_and_it_fires(browser, server):
    # setup: Maya leads Launch; Tom has a high-priority task of hers
    email = f"maya-{uuid.uuid4().hex[:6]}@acme.test"
    signup = api(server, "POST", "/api/v1/auth/signup", {"email": email, "password": "maya password 123",
                                                         "name": "Maya Lead", "workspace_name": "Rules Co"})
    token, workspace = signup["token"], signup["workspace"]["id"]
    invite = api(server, "POST", f"/api/v1/workspaces/{workspace}/invitations", {"email": f"tom-{email}"}, token)
    tom = api(server, "POST", f"/api/v1/invitations/{invite['accept_url'].rsplit('/', 1)[1]}/accept",
              {"name": "Tom Report", "password": "tom password 123"})
    project = api(server, "POST", f"/api/v1/workspaces/{workspace}/projects", {"name": "Launch"}, token)
    task = api(server, "POST", f"/api/v1/projects/{project['id']}/tasks",
               {"title": "Vendor contract", "assignee_id": tom["user"]["id"], "priority": "high"}, token)["task"]

    # the rules page: the seed's three alerts are on already
    sign_in(browser, server, email, "maya password 123")
    browser.get(f"{server}/w/{workspace}/projects/{project['id']}/rules")
    wait(browser).until(EC.title_contains("Rules"))
    wait(browser).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".rule-list [role=switch][aria-checked=true]")) == 3)
    assert "Tell the delegator when work moves" in browser.page_source
    screenshot(browser, "rules")

    # act: a new rule, by keyboard and mouse
    browser.find_element(By.LINK_TEXT, "New rule").click()
    wait(browser).until(EC.title_contains("New rule"))
    browser.find_element(By.ID, "rule-name").send_keys("High-priority blocks reach the lead")
    Select(browser.find_element(By.ID, "trigger-type")).select_by_visible_text("A task is flagged blocked")
    # stage fields belong to another trigger and are hidden
    assert not browser.find_element(By.ID, "from-stage").is_displayed()
    Select(browser.find_element(By.ID, "c0-field")).select_by_visible_text("Priority")
    Select(browser.find_element(By.ID, "c0-op")).select_by_visible_text("is one of")
    browser.find_element(By.ID, "c0-value").send_keys("urgent, high")
    Select(browser.find_element(By.ID, "a0-type")).select_by_visible_text("Notify people")
    browser.find_element(By.NAME, "a0_r_lead").click()
    browser.find_element(By.ID, "a0-message").send_keys("{{title}} is stuck: {{blocked_reason}}")
    # check: the preview beside the form follows, without saving
    wait(browser).until(lambda d: "Would notify Maya Lead" in d.find_element(By.ID, "rule-preview").text)
    assert "Vendor contract" in browser.find_element(By.ID, "rule-preview").text
    browser.execute_script("window.scrollTo(0, 0)")
    screenshot(browser, "rule-editor")
    browser.find_element(By.XPATH, "//button[text()='Save rule']").click()
    wait(browser).until(EC.title_contains("Rules"))
    assert "High-priority blocks reach the lead" in browser.page_source

    # Maya looks at her own work; Tom, in his session, flags the task blocked
    browser.get(f"{server}/w/{workspace}/my-work")
    wait(browser).until(EC.text_to_be_present_in_element((By.ID, "live"), "Live"))
    assert not browser.find_element(By.CSS_SELECTOR, '[data-badge="inbox"]').is_displayed()
    version = api(server, "GET", f"/api/v1/tasks/{task['id']}", token=token)["task"]["version"]
    api(server, "PATCH", f"/api/v1/tasks/{task['id']}", {"blocked": True, "blocked_reason": "Waiting on legal",
                                                          "version": version}, tom["token"])
    # check: her Inbox badge counts the rules' alerts without a reload, and the inbox has them
    wait(browser).until(lambda d: d.find_element(By.CSS_SELECTOR, '[data-badge="inbox"]').is_displayed()
                        and int(d.find_element(By.CSS_SELECTOR, '[data-badge="inbox"] .n').text) >= 1)
    screenshot(browser, "rule-badge")
    browser.find_element(By.CSS_SELECTOR, "nav.modules a[href$='/inbox']").click()
    wait(browser).until(EC.title_contains("Inbox"))
    assert "Vendor contract is stuck: Waiting on legal" in browser.page_source

    # the run history says what it did
    rules = api(server, "GET", f"/api/v1/projects/{project['id']}/rules", token=token)["data"]
    mine = next(r for r in rules if r["name"] == "High-priority blocks reach the lead")
    browser.get(f"{server}/w/{workspace}/rules/{mine['id']}/runs")
    wait(browser).until(EC.title_contains("Run history"))
    assert "Notified Maya Lead" in browser.page_source
    screenshot(browser, "rule-runs")

    # a switch turns a default off, by keyboard
    browser.get(f"{server}/w/{workspace}/projects/{project['id']}/rules")
    switch = browser.find_element(By.CSS_SELECTOR, ".rule-list [role=switch]")
    switch.send_keys("\n")
    wait(browser).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".rule-list [role=switch][aria-checked=false]")) == 1)
