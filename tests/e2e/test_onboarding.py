"""Sign up through the page, invite a member, accept as that member, see the member list —
and watch the owner's activity feed update live while it happens."""
import uuid

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import screenshot


def fill(driver, values):
    for name, value in values.items():
        field = driver.find_element(By.NAME, name)
        field.clear()
        field.send_keys(value)


def wait(driver, seconds=10):
    return WebDriverWait(driver, seconds)


def sign_up(driver, server, email, workspace="Acme Product"):
    driver.get(server + "/signup")
    fill(driver, {"name": "Maya Chen", "email": email, "password": "a long enough password", "workspace_name": workspace})
    driver.find_element(By.CSS_SELECTOR, "button.primary").click()
    wait(driver).until(EC.url_contains("/people"))


def test_signup_errors_show_next_to_the_field(browser, server):
    browser.get(server + "/signup")
    fill(browser, {"name": "Sam", "email": "sam@example.com", "password": "short", "workspace_name": "X"})
    browser.find_element(By.CSS_SELECTOR, "button.primary").click()
    error = wait(browser).until(EC.presence_of_element_located((By.ID, "password-error")))
    assert "at least 10 characters" in error.text
    assert browser.find_element(By.NAME, "password").get_attribute("aria-invalid") == "true"
    assert browser.find_element(By.NAME, "email").get_attribute("value") == "sam@example.com"
    screenshot(browser, "signup-error")


def test_signup_invite_accept_and_live_feed(browser, second_browser, server):
    owner_email = f"maya-{uuid.uuid4().hex[:6]}@acme.test"
    sign_up(browser, server, owner_email)
    assert "Welcome to Baton" in browser.page_source

    # invite a member; the page shows the one-time link
    fill(browser, {"email": "tom@acme.test"})
    Select(browser.find_element(By.ID, "invite-role")).select_by_value("member")
    browser.find_element(By.CSS_SELECTOR, "#invite-heading ~ form button").click()
    link = wait(browser).until(EC.presence_of_element_located((By.ID, "share"))).get_attribute("value")
    assert "/invite/" in link
    screenshot(browser, "people-after-invite")

    # the owner watches the activity feed; the live badge connects
    browser.find_element(By.LINK_TEXT, "Activity").click()
    wait(browser).until(EC.text_to_be_present_in_element((By.ID, "live"), "Live"))
    items_before = len(browser.find_elements(By.CSS_SELECTOR, "#feed li"))

    # the invited person accepts in another browser
    second_browser.get(link)
    assert "Join Acme Product" in second_browser.page_source
    screenshot(second_browser, "invitation-accept")
    fill(second_browser, {"name": "Tom Becker", "password": "tom's long password"})
    second_browser.find_element(By.CSS_SELECTOR, "button.primary").click()
    # a new member lands on their own work; the team is one link away
    wait(second_browser).until(EC.url_contains("/my-work"))
    assert "You joined Acme Product" in second_browser.page_source
    second_browser.find_element(By.LINK_TEXT, "People").click()
    wait(second_browser).until(EC.url_contains("/people"))
    names = [cell.text for cell in second_browser.find_elements(By.CSS_SELECTOR, "table.members td strong")]
    assert "Maya Chen" in names and "Tom Becker" in names
    screenshot(second_browser, "people-as-member")

    # the owner's feed shows the join without a reload
    wait(browser).until(lambda driver: len(driver.find_elements(By.CSS_SELECTOR, "#feed li")) > items_before)
    assert "Tom Becker joined as member" in browser.find_element(By.ID, "feed").text
    assert "1 new" in browser.find_element(By.ID, "live").text
    screenshot(browser, "activity-live")

    # back on the people page the owner sets Tom's manager and title
    browser.find_element(By.LINK_TEXT, "People").click()
    row = browser.find_element(By.XPATH, "//tr[.//strong[text()='Tom Becker']]")
    title = row.find_element(By.NAME, "title")
    title.clear()
    title.send_keys("Backend Engineer")
    Select(row.find_element(By.NAME, "manager_id")).select_by_visible_text("Maya Chen")
    row.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait(browser).until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, ".notice"), "Saved"))
    row = browser.find_element(By.XPATH, "//tr[.//strong[text()='Tom Becker']]")
    assert row.find_element(By.NAME, "title").get_attribute("value") == "Backend Engineer"
    screenshot(browser, "people-owner")


def test_profile_and_tokens(browser, server):
    sign_up(browser, server, f"pat-{uuid.uuid4().hex[:6]}@acme.test", workspace="Tokens Inc")
    browser.get(server + "/tokens")
    fill(browser, {"name": "Reporting script"})
    browser.find_element(By.CSS_SELECTOR, "button.primary").click()
    token = wait(browser).until(EC.presence_of_element_located((By.ID, "new-token"))).get_attribute("value")
    assert len(token) >= 40
    screenshot(browser, "tokens")
    browser.get(server + "/tokens")
    assert token not in browser.page_source

    browser.get(server + "/profile")
    Select(browser.find_element(By.ID, "time_zone")).select_by_value("Europe/Berlin")
    fill(browser, {"title": "Head of Product"})
    browser.find_element(By.CSS_SELECTOR, "form[action='/profile'] button").click()
    wait(browser).until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, ".notice"), "Profile saved"))
    assert browser.find_element(By.ID, "title").get_attribute("value") == "Head of Product"
    screenshot(browser, "profile")


def test_login_page_and_wrong_password(browser, server):
    browser.delete_all_cookies()
    browser.get(server + "/")
    wait(browser).until(EC.url_contains("/login"))
    fill(browser, {"email": "nobody@acme.test", "password": "not the password"})
    browser.find_element(By.CSS_SELECTOR, "button.primary").click()
    error = wait(browser).until(EC.presence_of_element_located((By.ID, "password-error")))
    assert "incorrect" in error.text
    screenshot(browser, "login-error")
