"""What is kept of a comment and of a user agent."""

import pytest

from analytics.privacy import COMMENT_MAX_LENGTH, RobotDetector, scrub_comment


@pytest.mark.parametrize(
    ("comment", "kept"),
    [
        ("Write to marie.tremblay+jobs@example.qc.ca please", "Write to [e-mail removed] please"),
        ("Call me at 613-555-0199 or (514) 555 0123.", "Call me at [phone removed] or [phone removed]."),
        ("Mon numéro : +1 418.555.0101", "Mon numéro : [phone removed]"),
        ("International: +44 20 7946 0958", "International: [phone removed]"),
        ("Very helpful, 3 programs in 2024 for $1,200", "Very helpful, 3 programs in 2024 for $1,200"),
        ("  too   many\nspaces ", "too many spaces"),
    ],
)
def test_comments_lose_e_mail_addresses_and_phone_numbers(comment: str, kept: str) -> None:
    assert scrub_comment(comment) == kept


def test_comments_are_cut_to_the_limit() -> None:
    assert len(scrub_comment("a" * 2000)) == COMMENT_MAX_LENGTH


IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.0 Mobile/15E148 Safari/604.1"
)
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
LIBRARIES = ("python-requests/2.32.3", "curl/8.5.0", "Go-http-client/2.0", "Java/17.0.2", "okhttp/4.12.0")


def test_without_a_key_only_a_browser_is_a_person() -> None:
    robots = RobotDetector()
    assert robots.is_robot(GOOGLEBOT)
    assert all(robots.is_robot(library) for library in LIBRARIES)
    assert not robots.is_robot(IPHONE)
    # A missing, empty or made-up user agent is no browser.
    assert robots.is_robot(None) and robots.is_robot("") and robots.is_robot("  ") and robots.is_robot("x")


def test_a_portal_key_vouches_for_its_library_and_passes_its_users_agents() -> None:
    robots = RobotDetector()
    # The portal's server, with its own library, relaying a person's browser: a person.
    assert not robots.is_robot_request("python-requests/2.32.3", IPHONE, vouched=True)
    # Relaying nothing: the portal answers for it.
    assert not robots.is_robot_request("Go-http-client/2.0", None, vouched=True)
    # Relaying a crawler or a script: a robot all the same.
    assert robots.is_robot_request("python-requests/2.32.3", GOOGLEBOT, vouched=True)
    assert robots.is_robot_request("python-requests/2.32.3", "curl/8.5.0", vouched=True)


def test_without_a_key_a_relayed_agent_is_not_believed() -> None:
    robots = RobotDetector()
    # A script claiming a browser in the body is still a script.
    assert robots.is_robot_request("python-requests/2.32.3", IPHONE, vouched=False)
    assert robots.is_robot_request(None, IPHONE, vouched=False)
    # A browser relaying a crawler's agent: believed, since it can only mark a robot.
    assert robots.is_robot_request(IPHONE, GOOGLEBOT, vouched=False)
    assert not robots.is_robot_request(IPHONE, None, vouched=False)
