"""Two people chatting in a channel, live: Ana writes, Ben's page shows it without a reload and,
since Ben is reading, Ana's "Seen by" follows without a reload either. Then a thread, a
reaction, typing, scheduling from the composer, and a refusal shown beside the composer."""
import datetime
import uuid

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC

from conftest import screenshot
from test_board import api, sign_in, wait


def test_two_people_chat_live_and_read_by_follows(browser, second_browser, server):
    # setup: Olive's workspace with Ana and Ben, and a channel they are in
    suffix = uuid.uuid4().hex[:6]
    email = f"olive-{suffix}@acme.test"
    signup = api(server, "POST", "/api/v1/auth/signup", {"email": email, "password": "olive password 123",
                                                         "name": "Olive Owner", "workspace_name": "Chat Co"})
    token, workspace = signup["token"], signup["workspace"]["id"]
    people = {}
    for name in ("Ana Ortiz", "Ben Okafor"):
        invite = api(server, "POST", f"/api/v1/workspaces/{workspace}/invitations",
                     {"email": f"{name.split()[0].lower()}-{email}"}, token)
        people[name] = api(server, "POST", f"/api/v1/invitations/{invite['accept_url'].rsplit('/', 1)[1]}/accept",
                           {"name": name, "password": "a good password 123"})
    ana, ben = people["Ana Ortiz"], people["Ben Okafor"]
    channel = api(server, "POST", f"/api/v1/workspaces/{workspace}/channels",
                  {"kind": "public", "name": "launch", "topic": "Spring launch",
                   "member_ids": [ana["user"]["id"], ben["user"]["id"]]}, token)
    url = f"{server}/w/{workspace}/channels/{channel['id']}"

    # both open the channel
    sign_in(browser, server, f"ana-{email}", "a good password 123", lands="/w/")
    browser.get(url)
    wait(browser).until(EC.text_to_be_present_in_element((By.ID, "live"), "Live"))
    sign_in(second_browser, server, f"ben-{email}", "a good password 123", lands="/w/")
    second_browser.get(url)
    wait(second_browser).until(EC.text_to_be_present_in_element((By.ID, "live"), "Live"))

    # Ben types: Ana sees it
    second_browser.find_element(By.ID, "body").send_keys("Hi")
    wait(browser).until(lambda d: "Ben Okafor is typing" in d.find_element(By.CSS_SELECTOR, "[data-typing]").text)
    second_browser.find_element(By.ID, "body").clear()

    # Ana writes (Enter sends); Ben's page shows it without a reload
    box = browser.find_element(By.ID, "body")
    box.send_keys("The deck for **Friday** is ready — can you check it?")
    box.send_keys(Keys.ENTER)
    wait(second_browser).until(lambda d: "The deck for Friday is ready" in d.find_element(By.CSS_SELECTOR, "[data-chat-scroll]").text)
    # Ben is reading: Ana's "Seen by" follows without a reload
    wait(browser).until(lambda d: "Seen by Ben Okafor" in d.find_element(By.CSS_SELECTOR, "[data-chat-scroll]").text)
    assert browser.find_element(By.ID, "body").get_attribute("value") == "", "the composer is empty again"
    screenshot(browser, "messages-channel")

    # Ben replies in the thread and reacts; Ana sees the reply count and the reaction
    second_browser.find_element(By.LINK_TEXT, "Reply in thread").click()
    wait(second_browser).until(EC.title_contains("Thread"))
    reply = second_browser.find_element(By.ID, "reply")
    reply.send_keys("Looks good, one typo on slide 4.")
    reply.send_keys(Keys.ENTER)
    wait(second_browser).until(lambda d: "one typo on slide 4" in d.page_source)
    assert "Read by" in second_browser.find_element(By.CSS_SELECTOR, "[data-read-by]").text
    screenshot(second_browser, "messages-thread")
    wait(browser).until(lambda d: "1 reply" in d.find_element(By.CSS_SELECTOR, "[data-chat-scroll]").text)

    # a message too long is refused beside the composer, the text kept
    browser.execute_script("document.getElementById('body').value = 'x'.repeat(40001)")
    browser.find_element(By.XPATH, "//form[@data-composer]//button[text()='Send']").click()
    wait(browser).until(lambda d: d.find_elements(By.ID, "body-error"))
    assert "40,000" in browser.find_element(By.ID, "body-error").text
    assert len(browser.find_element(By.ID, "body").get_attribute("value")) == 40001

    # schedule from the composer: it waits on the scheduled page, nothing is posted
    browser.get(url)
    browser.find_element(By.ID, "body").send_keys("Reminder: demo at 10")
    browser.find_element(By.CSS_SELECTOR, ".send-later summary").click()
    browser.find_element(By.CSS_SELECTOR, "input[name=when][value=later]").click()
    later = (datetime.date.today() + datetime.timedelta(days=30)).isoformat() + "T09:00"
    browser.execute_script(f"document.querySelector('input[name=send_at]').value = '{later}'")
    browser.find_element(By.XPATH, "//form[@data-composer]//button[text()='Send']").click()
    wait(browser).until(lambda d: "Scheduled for" in d.page_source)
    browser.get(f"{server}/w/{workspace}/scheduled-messages")
    assert "Reminder: demo at 10" in browser.page_source
    screenshot(browser, "messages-scheduled")
    messages = api(server, "GET", f"/api/v1/channels/{channel['id']}/messages", token=ana["token"])["data"]
    assert [m["body"] for m in messages] == ["The deck for **Friday** is ready — can you check it?"]

    # a task's chip follows the task without a reload
    project = api(server, "POST", f"/api/v1/workspaces/{workspace}/projects", {"name": "Launch"}, token)
    stages = {stage["name"]: stage["id"] for stage in project["stages"]}
    task = api(server, "POST", f"/api/v1/projects/{project['id']}/tasks", {"title": "Print the deck", "assignee_id": ana["user"]["id"]}, token)["task"]
    browser.get(url)
    wait(browser).until(EC.text_to_be_present_in_element((By.ID, "live"), "Live"))
    api(server, "POST", f"/api/v1/channels/{channel['id']}/messages", {"body": "Where is #1?"}, token)  # the workspace's first task
    chip = (By.CSS_SELECTOR, "[data-chat-scroll] .chip")
    wait(browser).until(lambda d: d.find_elements(*chip) and "To do" in d.find_element(*chip).text)
    api(server, "PATCH", f"/api/v1/tasks/{task['id']}", {"stage_id": stages["In progress"], "version": task["version"]}, token)
    wait(browser).until(lambda d: "In progress" in d.find_element(*chip).text)
    assert "#1 Print the deck" in browser.find_element(*chip).text
    screenshot(browser, "messages-chip")
