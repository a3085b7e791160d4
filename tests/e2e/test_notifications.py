"""The inbox in two browsers: when the lead assigns work and comments, the teammate's Inbox badge
changes without a reload; the inbox lists the entry and opening it goes to the task; a reminder set
from the task page is listed there and on the Reminders page."""
import uuid

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from conftest import screenshot
from test_board import api, sign_in, wait


def test_inbox_badge_is_live_and_reminders_are_set_from_the_task(browser, second_browser, server):
    # setup: Maya leads, Tom is on her team
    email = f"maya-{uuid.uuid4().hex[:6]}@acme.test"
    signup = api(server, "POST", "/api/v1/auth/signup", {"email": email, "password": "maya password 123",
                                                         "name": "Maya Lead", "workspace_name": "Inbox Co"})
    token, workspace = signup["token"], signup["workspace"]["id"]
    invite = api(server, "POST", f"/api/v1/workspaces/{workspace}/invitations", {"email": f"tom-{email}"}, token)
    tom = api(server, "POST", f"/api/v1/invitations/{invite['accept_url'].rsplit('/', 1)[1]}/accept",
              {"name": "Tom Report", "password": "tom password 123"})
    project = api(server, "POST", f"/api/v1/workspaces/{workspace}/projects", {"name": "Launch"}, token)

    # Tom has his My work page open; nothing waits for him
    sign_in(browser, server, f"tom-{email}", "tom password 123")
    browser.get(f"{server}/w/{workspace}/my-work")
    wait(browser).until(EC.text_to_be_present_in_element((By.ID, "live"), "Live"))
    badge = browser.find_element(By.CSS_SELECTOR, '[data-badge="inbox"]')
    assert not badge.is_displayed()

    # act: Maya assigns him a task from her browser, then comments on it
    sign_in(second_browser, server, email, "maya password 123")
    task = api(server, "POST", f"/api/v1/projects/{project['id']}/tasks",
               {"title": "Vendor contract", "assignee_id": tom["user"]["id"]}, token)["task"]
    second_browser.get(f"{server}/w/{workspace}/tasks/{task['id']}")
    second_browser.find_element(By.ID, "comment-body").send_keys("The draft is in the shared folder.")
    second_browser.find_element(By.XPATH, "//textarea[@id='comment-body']/ancestor::form//button").click()
    wait(second_browser).until(lambda d: "The draft is in the shared folder." in d.find_element(
        By.CSS_SELECTOR, "[data-live-region=comments]").text)

    # check: Tom's badge counts both without a reload
    wait(browser).until(lambda d: d.find_element(By.CSS_SELECTOR, '[data-badge="inbox"]').is_displayed()
                        and d.find_element(By.CSS_SELECTOR, '[data-badge="inbox"] .n').text == "2")
    screenshot(browser, "inbox-badge")
    browser.find_element(By.CSS_SELECTOR, "nav.modules a[href$='/inbox']").click()
    wait(browser).until(EC.title_contains("Inbox"))
    items = browser.find_elements(By.CSS_SELECTOR, ".inbox-item.unread")
    assert len(items) == 2
    assert "Maya Lead commented on “Vendor contract”" in browser.page_source
    assert "Maya Lead assigned “Vendor contract” to Tom Report" in browser.page_source
    screenshot(browser, "inbox")
    # opening the newest goes to the task and reads it
    items[0].find_element(By.CSS_SELECTOR, ".inbox-subject").click()
    wait(browser).until(EC.title_contains("Vendor contract"))
    wait(browser).until(lambda d: d.find_element(By.CSS_SELECTOR, '[data-badge="inbox"] .n').text == "1")

    # Maya sets a reminder from the task page instead of checking in by hand
    second_browser.find_element(By.ID, "remind-at").send_keys("01022031")   # mm/dd/yyyy in Chromium's en-US field
    second_browser.find_element(By.ID, "remind-at").send_keys("\t0930AM")
    second_browser.find_element(By.ID, "remind-note").send_keys("Has the vendor signed?")
    second_browser.find_element(By.XPATH, "//button[text()='Set reminder']").click()
    wait(second_browser).until(lambda d: "Has the vendor signed?" in d.find_element(By.CSS_SELECTOR, "[data-live-region=reminders]").text)
    screenshot(second_browser, "task-reminders")
    reminders = api(server, "GET", "/api/v1/me/reminders", token=token)["data"]
    assert [r["note"] for r in reminders] == ["Has the vendor signed?"]
    assert reminders[0]["remind_at"].startswith("2031-01-02T")
    second_browser.get(f"{server}/w/{workspace}/reminders")
    assert "Has the vendor signed?" in second_browser.page_source
    # Tom does not see Maya's reminder on the same task
    browser.refresh()
    assert "Has the vendor signed?" not in browser.page_source
    second_browser.get(f"{server}/w/{workspace}/inbox/settings")
    screenshot(second_browser, "notification-settings")
