"""Asking for approval in the browser: the form shows who will decide before anything is sent,
the approver decides from their inbox in a second session, and the requester's page follows
without a reload. Then the views, the template editor and the decision-rights matrix."""
import uuid

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from conftest import screenshot
from test_board import api, sign_in, wait


def test_request_routes_and_is_approved_from_the_inbox(browser, second_browser, server):
    # setup: Maya owns the workspace; Dana heads the department; Ana reports to Maya
    suffix = uuid.uuid4().hex[:6]
    email = f"maya-{suffix}@acme.test"
    signup = api(server, "POST", "/api/v1/auth/signup", {"email": email, "password": "maya password 123",
                                                         "name": "Maya Chen", "workspace_name": "Approvals Co"})
    token, workspace, maya_id = signup["token"], signup["workspace"]["id"], signup["user"]["id"]
    people = {}
    for name in ("Ana Lopez", "Finn Ledger"):
        invite = api(server, "POST", f"/api/v1/workspaces/{workspace}/invitations",
                     {"email": f"{name.split()[0].lower()}-{email}"}, token)
        people[name] = api(server, "POST", f"/api/v1/invitations/{invite['accept_url'].rsplit('/', 1)[1]}/accept",
                           {"name": name, "password": "a good password 123"})
    ana, finn = people["Ana Lopez"], people["Finn Ledger"]
    api(server, "PATCH", f"/api/v1/workspaces/{workspace}/members/{ana['user']['id']}", {"manager_id": maya_id}, token)
    finance = api(server, "POST", f"/api/v1/workspaces/{workspace}/teams", {"name": "Finance"}, token)
    api(server, "POST", f"/api/v1/workspaces/{workspace}/teams/{finance['id']}/members", {"user_id": finn["user"]["id"]}, token)
    step = lambda name, approvers: {"name": name, "approvers": approvers, "quorum": {"type": "any_one"}}
    template = api(server, "POST", f"/api/v1/workspaces/{workspace}/approval-templates", {
        "name": "Purchase", "description": "Anything the company pays for.",
        "fields": [{"key": "item", "label": "What are you buying?", "type": "text", "required": True},
                   {"key": "amount", "label": "Amount", "type": "money", "required": True, "currency": "EUR"}],
        "flow": {"branches": [{"name": "Over 5,000", "conditions": [{"field": "amount", "op": "gt", "value": "5000"}],
                               "steps": [step("Manager", [{"type": "requester_manager"}]), step("Finance", [{"type": "role", "role": "Finance"}])]}],
                 "default_steps": [step("Manager", [{"type": "requester_manager"}])]},
    }, token)

    # Ana fills in the form: the route shows beside it as she types, before anything is sent
    sign_in(browser, server, f"ana-{email}", "a good password 123", lands="/w/")
    browser.get(f"{server}/w/{workspace}/approvals/new/{template['id']}")
    wait(browser).until(EC.title_contains("New request"))
    browser.find_element(By.ID, "f-item").send_keys("Standing desks")
    browser.find_element(By.ID, "f-amount").send_keys("1200")
    wait(browser).until(lambda d: "This goes to Maya Chen." in d.find_element(By.ID, "route-preview").text)
    browser.find_element(By.ID, "f-amount").send_keys("0")   # 12000: over 5,000 adds Finance
    wait(browser).until(lambda d: "This goes to Maya Chen, then Finn Ledger." in d.find_element(By.ID, "route-preview").text)
    screenshot(browser, "approval-form")
    assert api(server, "GET", f"/api/v1/workspaces/{workspace}/approval-requests?view=mine", token=ana["token"])["data"] == []
    browser.find_element(By.XPATH, "//button[text()='Send for approval']").click()
    wait(browser).until(EC.title_contains("Standing desks"))
    wait(browser).until(EC.text_to_be_present_in_element((By.ID, "live"), "Live"))
    assert "Waiting on Maya Chen" in browser.find_element(By.CSS_SELECTOR, ".request-status").text

    # Maya, in her own session, approves from the inbox
    sign_in(second_browser, server, email, "maya password 123", lands="/w/")
    second_browser.get(f"{server}/w/{workspace}/inbox")
    wait(second_browser).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".inbox-decide button[value=approve]"))
    assert "asks you to approve" in second_browser.page_source
    screenshot(second_browser, "approval-inbox")
    second_browser.find_element(By.CSS_SELECTOR, ".inbox-decide button[value=approve]").click()
    wait(second_browser).until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, "p.notice"), "Approved"))

    # Ana's page moves on without a reload: the step is done, Finance is next
    wait(browser).until(lambda d: "Waiting on Finn Ledger" in d.find_element(By.CSS_SELECTOR, ".request-status").text)
    assert "Maya Chen approved" in browser.page_source
    screenshot(browser, "approval-request")

    # Finn rejects without a comment: the message sits beside the comment field; then with one
    second_browser.delete_all_cookies()
    sign_in(second_browser, server, f"finn-{email}", "a good password 123", lands="/w/")
    request = api(server, "GET", f"/api/v1/workspaces/{workspace}/approval-requests?view=to_approve", token=finn["token"])["data"][0]
    second_browser.get(f"{server}/w/{workspace}/approvals/requests/{request['id']}")
    wait(second_browser).until(EC.title_contains("Standing desks"))
    second_browser.find_element(By.CSS_SELECTOR, "button[value=reject]").click()
    wait(second_browser).until(EC.presence_of_element_located((By.ID, "decision-comment-error")))
    assert second_browser.find_element(By.ID, "decision-comment").get_attribute("aria-invalid") == "true"
    second_browser.find_element(By.ID, "decision-comment").send_keys("Buy them in the new year.")
    second_browser.find_element(By.CSS_SELECTOR, "button[value=reject]").click()
    wait(browser).until(lambda d: "Rejected" in d.find_element(By.CSS_SELECTOR, ".request-status").text)
    assert "Buy them in the new year." in browser.page_source

    # the admin view shows where approvals wait; the matrix is readable by Ana
    browser.get(f"{server}/w/{workspace}/approvals?view=mine")
    wait(browser).until(EC.title_contains("Approvals"))
    assert "Standing desks" in browser.page_source
    api(server, "PUT", f"/api/v1/workspaces/{workspace}/decision-rights", {"decisions": [
        {"key": "budget", "label": "Budget and purchases", "entries": [
            {"holder": {"type": "role", "role": "member"}, "right": "decide", "up_to_amount": 500},
            {"holder": {"type": "person", "user_id": maya_id}, "right": "approve", "up_to_amount": 5000},
            {"holder": {"type": "role", "role": "Finance"}, "right": "approve"}]}]}, token)
    browser.get(f"{server}/w/{workspace}/decision-rights")
    wait(browser).until(EC.title_contains("Decision rights"))
    assert "You decide alone up to 500." in browser.page_source
    screenshot(browser, "decision-rights")
    second_browser.delete_all_cookies()
    sign_in(second_browser, server, email, "maya password 123", lands="/w/")
    second_browser.get(f"{server}/w/{workspace}/approvals?view=all")
    wait(second_browser).until(EC.title_contains("Approvals"))
    assert "Where approvals wait" in second_browser.page_source
    screenshot(second_browser, "approvals-all")
    second_browser.get(f"{server}/w/{workspace}/approvals/templates/{template['id']}")
    wait(second_browser).until(EC.title_contains("Template"))
    assert "If Amount > 5000: Manager, then Finance" in second_browser.find_element(By.CSS_SELECTOR, "aside").text
    screenshot(second_browser, "approval-template")
