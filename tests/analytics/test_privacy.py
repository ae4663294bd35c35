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


def test_known_robots_are_flagged_and_browsers_are_not() -> None:
    robots = RobotDetector()
    assert robots.is_robot("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)")
    assert robots.is_robot("curl/8.5.0")
    assert not robots.is_robot(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.0 Mobile/15E148 Safari/604.1"
    )
    assert not robots.is_robot(None) and not robots.is_robot("")
