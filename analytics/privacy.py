"""What is kept of what people send: comments without e-mail addresses or phone numbers, and of a
user agent only whether it is a known robot."""

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


class RobotDetector:
    """Known crawlers, spiders and HTTP libraries by user agent (the CrawlerDetect list). Made once per
    process: the first call compiles the list; the answers for the user agents seen most recently are
    kept (a batch of events, or a person's clicks, come with the same one)."""

    def __init__(self, remembered: int = 4096) -> None:
        self._detector = CrawlerDetect()
        self._detector.isCrawler("Mozilla/5.0")
        self._check = lru_cache(maxsize=remembered)(self._is_crawler)

    def _is_crawler(self, user_agent: str) -> bool:
        return bool(self._detector.isCrawler(user_agent))

    def is_robot(self, user_agent: str | None) -> bool:
        return bool(user_agent) and self._check(user_agent)
