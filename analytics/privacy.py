"""What is kept of what people send: comments without e-mail addresses or phone numbers, and of a
user agent only whether it is a robot."""

import re
from functools import lru_cache

from crawlerdetect import CrawlerDetect

COMMENT_MAX_LENGTH = 500
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# North American numbers as people write them (613-555-0199, (613) 555 0199, +1 613.555.0199,
# 1-800-555-0199), and any other run of 7 or more digits with separators (international numbers).
PHONE = re.compile(
    r"(?<!\w)(?:\+?1[\s.-]?)?(?:\(\d{3}\)|\d{3})[\s.-]?\d{3}[\s.-]?\d{4}(?!\w)"
    r"|(?<!\w)\+?\d(?:[\s.()-]?\d){6,}(?!\w)"
)
EMAIL_MARK = "[e-mail removed]"
PHONE_MARK = "[phone removed]"


def scrub_comment(text: str) -> str:
    """The comment, shortened to COMMENT_MAX_LENGTH, with e-mail addresses and phone numbers replaced."""
    text = EMAIL.sub(EMAIL_MARK, text)
    text = PHONE.sub(PHONE_MARK, text)
    return " ".join(text.split())[:COMMENT_MAX_LENGTH]


# Every browser in use names itself "Mozilla/5.0 (…)" (or, for old Opera, "Opera/…").
BROWSER = re.compile(r"(?:Mozilla|Opera)/\d")


class RobotDetector:
    """Whether a request comes from a person's browser, by its user agent.

    Without a key that vouches for it, a request is a person's only when its user agent names a browser
    and is not on the CrawlerDetect list of crawlers, spiders and HTTP libraries: a missing, empty or
    made-up user agent ("x") and a library's ("python-requests", "curl", Go's, Java's) are robots. A
    portal's key vouches for what it relays: the user agent it passes for its user is believed (still a
    robot when it is a crawler's or a library's), and when it passes none, its own HTTP library is not
    held against it.

    Made once per process: the first call compiles the list; the answers for the user agents seen most
    recently are kept (a batch of events, or a person's clicks, come with the same one)."""

    def __init__(self, remembered: int = 4096) -> None:
        self._detector = CrawlerDetect()
        self._detector.isCrawler("Mozilla/5.0")
        self._check = lru_cache(maxsize=remembered)(self._is_crawler)

    def _is_crawler(self, user_agent: str) -> bool:
        return bool(self._detector.isCrawler(user_agent))

    def is_robot(self, user_agent: str | None, *, vouched: bool = False) -> bool:
        """`user_agent`: the request's, or, when `vouched` by a portal's key, the one it relays (None when
        it relays none)."""
        agent = (user_agent or "").strip()
        if not agent:
            return not vouched
        if self._check(agent):
            return True
        return not vouched and BROWSER.match(agent) is None

    def is_robot_request(self, request_agent: str | None, relayed_agent: str | None, *, vouched: bool) -> bool:
        """A request's robot flag: with a vouching key, by the user agent it relays; without one, by its
        own user agent, and a relayed one that names a robot counts too (a claim to be a browser does not)."""
        if vouched:
            return self.is_robot(relayed_agent, vouched=True)
        return self.is_robot(request_agent) or (relayed_agent is not None and self.is_robot(relayed_agent))
