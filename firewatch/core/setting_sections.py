"""The sections of the settings schema, one typed model per `[table]` of `firewatch.toml`, and the
value types and validators they share. `firewatch.core.settings` puts them together into
`Settings` and loads them; import them from there.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, TypeVar, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator

CrawlPlatform = Literal["jd", "taobao", "pdd", "1688"]  # platforms with a spider (Tmall is in the Taobao crawl)
CRAWL_PLATFORMS: tuple[str, ...] = get_args(CrawlPlatform)
AlertRule = Literal["new_flagged", "notice_overdue", "relisting", "price_floor", "crawler_blocked"]
ALERT_RULES: tuple[str, ...] = get_args(AlertRule)
_CHINA_ZONES = ("Asia/Shanghai", "Asia/Chongqing", "PRC")  # usable without a tz database (alerts.digest)
_INDEX_PREFIX = re.compile(r"^[a-z0-9][a-z0-9_-]{0,60}$")

T = TypeVar("T")


# -- value types -------------------------------------------------------------------------
def _one_or_many(value: Any) -> Any:
    """A lone string stands for a one-item list (`FIREWATCH_ALERTS__RULES=new_flagged`)."""
    if isinstance(value, str) and not value.lstrip().startswith("["):
        return [value]
    return value


OneOrMany = Annotated[list[T], BeforeValidator(_one_or_many)]


def _time_zone(name: str) -> str:
    if name and name not in _CHINA_ZONES:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("expected a time zone name such as Asia/Shanghai or UTC") from None
    return name


def _search_url(url: str) -> str:
    url = url.strip()
    nodes = [n.strip() for n in url.split(",")]
    if url == "sqlite" or url.startswith("sqlite:") or (url and all(re.match(r"^https?://[^\s/]+", n) for n in nodes)):
        return url
    raise ValueError("expected 'sqlite' or Elasticsearch node URL(s): http://host:9200 (several: comma-separated)")


POSTGRES_SCHEMES = ("postgresql://", "postgres://")  # a store URL naming PostgreSQL starts with one


def _store_url(url: str) -> str:
    if url.startswith(POSTGRES_SCHEMES) and len(url.split("://", 1)[1]) > 0:
        return url
    if not url.startswith("sqlite:///") or url == "sqlite:///":
        raise ValueError("expected sqlite:///PATH or postgresql://user@host:port/database")
    return url


def _index_prefix(prefix: str) -> str:
    if not _INDEX_PREFIX.match(prefix):
        raise ValueError("expected lowercase letters, digits, '-' or '_' (starting with a letter or digit)")
    return prefix


def _http_url_or_empty(url: str) -> str:
    if url and not re.match(r"^https?://\S+$", url):
        raise ValueError("expected an http(s):// URL, or \"\" for none")
    return url


TimeZone = Annotated[str, AfterValidator(_time_zone)]
HttpUrlOrEmpty = Annotated[str, AfterValidator(_http_url_or_empty)]
Fraction = Annotated[float, Field(ge=0, le=1)]


class _Section(BaseModel):
    """A settings table: unknown keys are errors, values are fixed once loaded."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


# -- sections ------------------------------------------------------------------------------
class PathsSettings(_Section):
    data_dir: str = Field("var", description="Where the store, the search index, models, evidence and exports live; "
                                             "relative paths are resolved against the directory of the settings file.")


class StoreSettings(_Section):
    url: Annotated[str, AfterValidator(_store_url)] = Field(
        "sqlite:///firewatch.db", description="Store of record: sqlite:///relative/path (resolved against data_dir; "
        "one machine) or postgresql://user@host:port/database (several machines; `firewatch store migrate --to` "
        "copies a SQLite store there).")
    keep_snapshot_months: int = Field(0, ge=0, description="`firewatch store maintain` drops listing snapshots (the "
        "price and status history) older than this many months, this month counting as one; 0 keeps them all.")
    months_ahead: int = Field(3, ge=1, le=24, description="PostgreSQL: `store maintain` keeps monthly snapshot "
        "partitions ready this many months ahead.")
    keep_done_days: int = Field(30, ge=0, description="`firewatch store maintain` deletes the process queue's "
        "completion log (queue_done: which worker completed which stage, when) older than this many days; 0 keeps it.")


class SearchSettings(_Section):
    url: Annotated[str, AfterValidator(_search_url)] = Field(
        "sqlite", description="Search index: \"sqlite\" (FTS5 file search.db in data_dir) or Elasticsearch node "
                              "URL(s), \"http://host:9200\" or \"http://a:9200,http://b:9200\".")
    index_prefix: Annotated[str, AfterValidator(_index_prefix)] = Field(
        "firewatch", description="Elasticsearch only: index, alias and template names start with this prefix.")
    timeout: float = Field(30, gt=0, description="Elasticsearch: seconds per request.")
    retries: int = Field(3, ge=0, description="Elasticsearch: retries per request, and around bulk writes.")
    backoff: float = Field(0.5, ge=0, description="Elasticsearch: first wait (seconds) of the exponential backoff "
                                                  "around bulk writes.")
    shards: int = Field(1, ge=1, description="Elasticsearch: shards of new indices.")
    replicas: int = Field(0, ge=0, description="Elasticsearch: replicas of new indices (1 or more on a cluster).")


DEFAULT_KEYWORDS: dict[str, list[str]] = {
    "default": ["灭火器", "呼吸器", "消防", "防火", "报警器", "电缆", "喷头", "灭火", "应急灯", "水带"],
    "portable_extinguisher": ["灭火器", "干粉灭火器", "二氧化碳灭火器", "水基灭火器", "车载灭火器"],
    "escape_respirator": ["自救呼吸器", "防烟面罩", "逃生面具", "消防面具"],
    "sprinkler": ["洒水喷头", "消防喷头", "喷淋头"],
    "fire_door": ["防火门", "钢质防火门"],
    "fire_glass": ["防火玻璃"],
    "fire_shutter": ["防火卷帘", "卷帘门 防火"],
    "fire_blanket": ["灭火毯", "防火毯"],
    "gas_detector": ["燃气报警器", "可燃气体探测器"],
    "smoke_alarm": ["烟雾报警器", "烟感", "火灾探测报警器"],
    "emergency_light": ["应急灯", "安全出口指示灯", "疏散指示灯"],
    "fire_pump": ["消防泵", "消防水泵"],
    "gas_suppression": ["七氟丙烷", "气体灭火"],
    "flame_retardant_cable": ["阻燃电缆", "阻燃电线", "低烟无卤"],
    "fire_resistant_cable": ["耐火电缆", "矿物绝缘电缆"],
    "electrical_fire_detector": ["电气火灾监控探测器"],
    "fire_retardant_coating": ["防火涂料"],
    "foam_agent": ["泡沫灭火剂", "水成膜"],
    "fire_hose": ["消防水带"],
    "fire_coupling": ["消防接口", "水带接口"],
    "rescue_equipment": ["消防服", "消防头盔", "微型消防站"],
}


class CrawlSettings(_Section):
    platforms: OneOrMany[CrawlPlatform] = Field(list(CRAWL_PLATFORMS), min_length=1,
                                                description="Platforms `firewatch crawl` visits by default.")
    user_agent: str = Field("Mozilla/5.0 (X11; Linux x86_64) firewatch/0.1 (fire-product market surveillance)",
                            min_length=1, description="User-Agent of every crawl request and capture.")
    obey_robots: bool = Field(True, description="Honour robots.txt.")
    concurrency_per_domain: int = Field(8, ge=1, description="Requests in flight per site.")
    download_delay: float = Field(0.0, ge=0, description="Seconds between requests to one site (autothrottle adapts it).")
    autothrottle: bool = Field(True, description="Adapt the delay to the site's latency (Scrapy AutoThrottle).")
    retry_times: int = Field(6, ge=0, description="Retries of a failed request (429, 5xx, timeouts).")
    recrawl_after: float = Field(21600, ge=0, description="A listing stored less than this many seconds ago, at the "
                                                          "price its search result shows, is not fetched again.")
    max_pages: int = Field(20, ge=1, description="Search result pages to follow per keyword.")
    max_blocks: int = Field(30, ge=1, description="Captcha/verification pages met before a platform is given up "
                                                  "for this run.")
    home_redirect_burst: int = Field(5, ge=1, description="Item pages in a row redirected to the platform's home "
                                                          "page before further ones are taken as throttling (blocked), "
                                                          "not as removals: a removed item is one among live ones, a "
                                                          "throttle sends every request home.")
    block_backoff: float = Field(0.5, ge=0, description="Delay (seconds) added after a block; it doubles on every "
                                                        "further block.")
    max_retry_after: float = Field(30, ge=0, description="Longest wait (seconds) honoured from a Retry-After header.")
    proxies: OneOrMany[str] = Field([], description="Forward proxies used in turn, one per request "
                                                    "(http://host:port, http://user:pass@host:port); empty: direct.")
    proxy_max_failures: int = Field(3, ge=1, description="Consecutive failures after which a proxy is evicted.")
    proxy_cooldown: float = Field(300, ge=0, description="Seconds an evicted proxy waits before it is tried again.")
    redis_url: str = Field("", description="Shared crawl frontier (scrapy-redis), e.g. redis://10.0.0.5:6379/0; "
                                           "\"\": each process crawls alone.")
    redis_key_prefix: str = Field("firewatch", min_length=1, description="Prefix of the Redis keys "
                                                                         "(<prefix>:<spider>:requests, ...).")
    redis_worker_timeout: float = Field(60, gt=0, description="Seconds after which a silent crawl process counts "
                                                              "as gone.")
    sessions: dict[CrawlPlatform, str] = Field({}, description="Logged-in session per platform: a Playwright "
                                                               "storage_state JSON file (relative: in data_dir).")
    resolve: dict[str, str] = Field({}, description="Host map: hostname pattern -> \"ip:port\" the connection goes to "
                                                    "instead of DNS (\"*.jd.com\", \"*\"); the URL stays the "
                                                    "platform's. Empty in production; the demo market fills it.")
    trust_ca: str = Field("", description="PEM CA certificate trusted for mapped hosts only (the demo market's "
                                          "throwaway CA); relative: in data_dir. \"\": none.")
    legal_basis: dict[CrawlPlatform, str] = Field({}, description="Per platform, the legal basis (e.g. a written "
                                                                  "authorisation) for crawling flows its robots.txt "
                                                                  "disallows; recorded in every crawl run and "
                                                                  "capture manifest. Absent: robots.txt is obeyed.")
    keywords: dict[str, OneOrMany[str]] = Field(DEFAULT_KEYWORDS, description="Named keyword sets, one search per "
                                                                              "keyword; \"default\" and one per "
                                                                              "category code.")
    platform_keywords: dict[CrawlPlatform, dict[str, OneOrMany[str]]] = Field(
        {}, description="Extra words per platform, added to the keyword set of the same name.")

    @field_validator("keywords")
    @classmethod
    def _has_default_set(cls, sets: dict[str, list[str]]) -> dict[str, list[str]]:
        if "default" not in sets:
            raise ValueError("expected a set named \"default\" among them (what `firewatch crawl` searches)")
        return sets


class ScoringSettings(_Section):
    threshold: Fraction = Field(0.5, description="A listing is flagged when risk_score >= threshold.")
    model_dir: str = Field("models", description="Trained models (relative to data_dir); `firewatch train` writes them.")
    price_min_listings: int = Field(200, ge=0, description="`firewatch train` learns price baselines from the store "
                                                           "once it holds this many listings.")
    watchlist: str = Field("", description="Optional spot-check failure list (CSV) for watchlist_seller; "
                                           "relative to the settings file; \"\": none.")


class TrainingSettings(_Section):
    from_reviews: bool = Field(True, description="`firewatch train` also learns from reviewers' decisions in the store "
                                                 "(confirmed: positive for the listing's reasons; dismissed: negative); "
                                                 "--from-reviews/--no-reviews overrides it.")
    review_weight: float = Field(1.0, ge=0, le=10, description="Weight of one reviewer record against one hand-written "
                                                               "corpus record (0: reviewer records change nothing).")
    review_max_share: float = Field(0.5, ge=0, le=10, description="All reviewer records together weigh at most this share "
                                                                  "of the hand-written corpus (their weights are scaled "
                                                                  "down beyond it).")
    reviewer_max_share: float = Field(0.1, ge=0, le=10, description="One reviewer's records weigh at most this share of "
                                                                    "the hand-written corpus, so a flood of one person's "
                                                                    "decisions cannot swamp it.")
    batch: int = Field(2000, ge=1, description="Decisions read per keyset batch by `firewatch train`.")


class DriftSettings(_Section):
    weeks: int = Field(12, ge=2, le=104, description="Weeks (北京时间, Monday to Sunday) of per-reason review precision "
                                                     "shown on the trends page.")
    baseline_weeks: int = Field(4, ge=1, le=52, description="The last week's flag rate and reason mix are compared "
                                                            "with the weeks before it, this many.")
    mix_threshold: float = Field(0.15, gt=0, le=1, description="A drift note when the reason mix of the last week's "
                                                               "flags is at least this far (total-variation distance, "
                                                               "0..1) from the baseline weeks' mix.")
    rate_threshold: float = Field(0.5, gt=0, description="A drift note when the last week's flag rate (flagged / "
                                                         "scored) differs from the baseline weeks' rate by at least "
                                                         "this share of it (0.5: half as high again, or half as low).")
    min_flags: int = Field(20, ge=1, description="Weeks with fewer flags than this are not compared (too few to tell).")


class SellersSettings(_Section):
    strong_keys: list[Literal["credit_code", "operator", "phone", "wechat", "qq", "address", "shop_name", "image"]] = Field(
        ["credit_code", "operator", "phone", "wechat", "qq"],
        description="Key kinds that link two shops on their own (docs/sellers.md); the other kinds only count in "
                    "combination.")
    weak_keys_needed: int = Field(2, ge=2, description="Two shops sharing this many different weak keys (address, "
                                                       "normalised shop name, image hash) are linked.")
    key_max_shops: int = Field(20, ge=2, description="A key value already held by more shops than this is treated as "
                                                     "common (a platform hotline, a stock photo) and links no more shops.")
    batch: int = Field(500, ge=1, description="Listings resolved per transaction by the sellers step of "
                                              "`firewatch process`.")
    repeat_confirmed: int = Field(2, ge=2, description="A seller with this many confirmed violations (listings) or "
                                                       "more is a repeat offender: track 从严查处.")
    serious_reasons: list[str] = Field(["invalid_certificate", "refurbished", "watchlist_seller"],
                                       description="Reason codes that make even a first confirmed violation serious "
                                                   "(track 从严查处).")


class CaptureSettings(_Section):
    chromium: str = Field("/usr/bin/chromium", min_length=1, description="Chromium executable for screenshots and PDFs.")
    max_height: int = Field(10000, ge=1, description="Full-page screenshots are cut at this height (pixels).")
    timeout_ms: int = Field(30000, ge=1, description="Page load timeout (ms).")
    concurrency: int = Field(4, ge=1, description="Pages captured at once (browser contexts sharing one Chromium).")
    settle_ms: int = Field(300, ge=0, description="After the load event, wait until the network has been quiet this "
                                                  "long (ms).")
    evidence_dir: str = Field("evidence", description="Captured evidence (relative to data_dir).")


class OcrSettings(_Section):
    enabled: bool = Field(False, description="Read the text in the main and detail images of flagged or uncertain "
                                             "listings (rapidocr-onnxruntime, models inside the package) and judge "
                                             "it: about a CPU-second per image, so off unless turned on "
                                             "(`firewatch demo` turns it on for a few listings).")
    band_low: Fraction = Field(0.3, description="A listing is OCR'd when its risk_score >= this (flagged ones are "
                                                "above scoring.threshold; between the two it is uncertain).")
    max_images: int = Field(4, ge=1, le=50, description="Images read per listing (main image first).")
    max_bytes: int = Field(5_000_000, ge=1, description="An image larger than this (bytes) is refused, not read.")
    max_pixels: int = Field(25_000_000, ge=1, description="An image with more pixels than this is refused, not read.")
    timeout: float = Field(10.0, gt=0, description="Image fetch timeout (seconds).")
    # A day: the crawl jobs run daily (schedule.jobs, "0 3 * * *"), and a listing is re-scored (and its
    # images queued again) after every crawl and every watchlist, certificate or feedback re-score, so
    # several times a day at most; shops change a listing's pictures rarely (weeks apart). Checking each
    # image URL at most once a day keeps the text judged at most a day behind the shop, like the rest of
    # the listing, and bounds the load on the platforms' image hosts to one (conditional) GET per image
    # per day whatever the re-scores; `firewatch process --ocr-refetch` fetches at once when needed.
    refetch_hours: float = Field(24.0, ge=0, description="An image URL checked less than this many hours ago is "
                                                         "not fetched again (its record stands); older ones are "
                                                         "checked with a conditional GET (0: every OCR run).")
    # A week: image hosts' validators are usually honest, so a conditional GET (a 304 of ~200 bytes of
    # headers) is the right daily check; but a host whose ETag is keyed on the path, not the bytes (a shop
    # replacing a main image on such a CDN), answers 304 for ever and the text cited would no longer be on
    # the image. A full download at least weekly bounds how long such a host can hide a changed image to
    # a week, at about 1/7 of the cost of daily full downloads: on the replica (benchmarks/bench_ocr.py
    # --recheck) ~31 kB per full fetch against ~200 B per 304, so an image checked daily costs ~4.6 kB a
    # day on average (6 x 200 B + 31 kB, over 7) instead of ~31 kB, or ~200 B with conditional GETs only.
    full_fetch_days: float = Field(7.0, ge=0, description="A read whose bytes were last downloaded in full at least "
                                                           "this many days ago is checked with a plain GET, not a "
                                                           "conditional one, so a host whose validators lie (the "
                                                           "same ETag for new bytes) cannot hide a changed image "
                                                           "for longer (0: never forced, conditional GETs only).")
    max_listings: int = Field(0, ge=0, description="Listings OCR'd per process run (0: no cap; the rest stay queued).")
    threads: int = Field(0, ge=0, description="CPU threads the OCR engine uses per image (0: its default).")
    image_dir: str = Field("ocr", description="Copies of the images read (relative to data_dir).")


class ExportSettings(_Section):
    dir: str = Field("exports", description="Takedown lists and reports (relative to data_dir).")


class NoticesSettings(_Section):
    sender_org: str = Field("消防产品网络市场监测组", description="Who sends takedown notices.")
    sender_contact: str = Field("", description="A contact line printed under the sender; \"\" prints none.")
    recipient: str = Field("{platform_name}平台 商品合规/治理团队",
                           description="Addressee; {platform_name} becomes the platform's Chinese name.")
    legal_basis: str = Field(
        "依据《中华人民共和国消防法》第二十四条（禁止销售不合格的消防产品；实行强制性产品认证的消防产品须经认证合格方可销售）"
        "和《中华人民共和国电子商务法》第三十八条（平台经营者知道或者应当知道平台内经营者销售的商品不符合保障人身、财产安全的要求，"
        "应当采取必要措施）", description="The legal basis a notice cites.")
    reply_deadline_days: int = Field(7, ge=1, description="Days after sending by which the platform should answer.")
    channel: str = Field("平台投诉/举报通道", description="How notices are delivered (recorded with each sent notice).")
    removal_confirm_hours: float = Field(
        6, ge=0, description="An item's page fetched again (a notice's listing, a crawl, a capture) that redirects to the platform's home or error page "
        "or shows its gone wording (an anti-bot answer or a sold-out item look the same) counts as removed only when "
        "seen so again at least this many hours later; a 404/410 at the item URL counts at once.")


class EvidenceSettings(_Section):
    key_dir: str = Field("keys", description="Folder of the Ed25519 installation signing key (relative to data_dir).")
    tsa_url: HttpUrlOrEmpty = Field("", description="RFC 3161 timestamp authority URL; \"\" skips timestamps.")
    tsa_timeout: float = Field(15, gt=0, description="Seconds to wait for the timestamp authority.")
    time_source: str = Field("本机系统时钟 (UTC) / host system clock",
                             description="Where capture times come from, as stated in capture records and reports.")


class WebSettings(_Section):
    host: str = Field("127.0.0.1", min_length=1, description="`firewatch serve` listens on this address.")
    port: int = Field(8000, ge=0, le=65535, description="... and this port (0 picks a free one).")
    secure_cookies: bool = Field(False, description="Mark session cookies Secure (set true behind TLS).")
    session_hours: float = Field(12, gt=0, description="A login lasts this many hours.")
    login_max_failures: int = Field(5, ge=1, description="Failed logins for one user from one address within the "
                                                         "window before further attempts are refused.")
    login_window_seconds: int = Field(900, ge=1, description="The window (seconds) of the login failure limits.")
    login_max_failures_per_ip: int = Field(30, ge=1, description="Failed logins from one address for any user "
                                                                 "names within the window (password spraying).")
    page_size: int = Field(50, ge=1, description="Rows per page in the review queue and search results.")
    claim_minutes: float = Field(10, gt=0, le=240, description="Minutes a reviewer's claim on the review queue rows "
                                 "shown to them lasts (other reviewers' queues skip those rows; a decision on "
                                 "them by anyone else is refused).")
    undo_minutes: float = Field(0, ge=0, le=1440, description="Minutes after a decision (or bulk action) within "
                                "which its reviewer may undo it; 0: claim_minutes.")
    pack_exports_at_once: int = Field(2, ge=1, le=16, description="Evidence-pack exports one server runs at "
                                      "once (each may drive Chromium); more wait as 排队中 until one ends.")
    trusted_proxies: list[str] = Field(default_factory=list, description="Addresses of the reverse proxies in front "
                                       "of `firewatch serve` (e.g. [\"127.0.0.1\"]): their X-Forwarded-For names the "
                                       "client, so login and tip limits count real senders. Empty: none trusted.")


class TipsSettings(_Section):
    dir: str = Field("tips", description="Photos of public tips and the tips channel's secret (relative to data_dir).")
    rate_limit_per_hour: int = Field(10, ge=1, description="Tips accepted from one address per hour; more answer 429.")
    max_text: int = Field(2000, ge=50, description="Characters of a tip's text (what is wrong) at most.")
    max_photos: int = Field(3, ge=0, le=10, description="Photos per tip at most.")
    max_photo_bytes: int = Field(5_000_000, ge=10_000, description="Bytes per photo at most (JPEG, PNG or WebP).")
    pow_bits: int = Field(14, ge=0, le=28, description="Proof of work: leading zero bits of SHA-256 a tip's nonce "
                                                       "must reach (each bit doubles the sender's work).")
    challenge_minutes: int = Field(30, ge=1, description="Minutes a proof-of-work challenge stays valid.")


class RelistingWeights(_Section):
    title: float = Field(0.4, ge=0, description="Weight of a similar title.")
    image: float = Field(0.4, ge=0, description="Weight of the same first image.")
    shop: float = Field(0.2, ge=0, description="Weight of the same or a similar shop.")


class AlertsSettings(_Section):
    rules: OneOrMany[AlertRule] = Field(list(ALERT_RULES), description="The rules `firewatch alerts run` evaluates.")
    run_on_process: bool = Field(True, description="`firewatch process` runs the rules after draining the queue.")
    risk_threshold: Fraction = Field(0.8, description="new_flagged: a flagged listing with risk_score >= this.")
    flagged_max_age_days: float = Field(7, ge=0, description="new_flagged: only listings assessed within this many "
                                                              "days (0: any age).")
    notice_overdue_days: float = Field(14, ge=0, description="notice_overdue: days after a notice was sent.")
    price_floor_fraction: Fraction = Field(0.3, description="price_floor: this fraction of the prior median when the "
                                                            "prior has no explicit floor.")
    blocked_min_blocks: int = Field(10, ge=0, description="crawler_blocked: blocks in one run that raise an alert.")
    relisting_min_score: float = Field(0.6, ge=0, description="relisting: summed signal weights that raise an alert.")
    relisting_title_min_similarity: Fraction = Field(0.6, description="relisting: title MinHash Jaccard similarity.")
    relisting_shop_min_similarity: Fraction = Field(0.6, description="relisting: shop name bigram similarity.")
    relisting_image_max_distance: int = Field(6, ge=0, le=64, description="relisting: dHash bits apart at most.")
    relisting_weights: RelistingWeights = Field(default_factory=RelistingWeights,
                                                description="relisting: weight of each matching signal.")
    image_timeout: float = Field(10.0, gt=0, description="Image fetch timeout (seconds) for the hash.")
    image_max_bytes: int = Field(5_000_000, ge=1, description="Image fetch size cap (bytes).")
    image_retry_hours: float = Field(24, ge=0, description="A failed image fetch is tried again after this many hours.")
    max_attempts: int = Field(4, ge=1, description="Delivery attempts per send before a dead letter is stored.")
    backoff_seconds: float = Field(1.0, ge=0, description="First wait between delivery attempts (doubles each time).")
    backoff_max_seconds: float = Field(30.0, ge=0, description="Longest wait between delivery attempts.")
    timezone: TimeZone = Field("Asia/Shanghai", description="The digest's day is a calendar day in this time zone "
                                                            "(\"\": UTC).")
    smtp_host: str = Field("", description="E-mail is on when smtp_host and smtp_to are set.")
    smtp_port: int = Field(25, ge=1, le=65535, description="SMTP port (465 with smtp_ssl).")
    smtp_from: str = Field("firewatch@localhost", description="Sender address of alert e-mail.")
    smtp_to: OneOrMany[str] = Field([], description="Recipients of alert e-mail.")
    smtp_starttls: bool = Field(False, description="Upgrade a plain SMTP connection with STARTTLS.")
    smtp_ssl: bool = Field(False, description="Implicit TLS (port 465).")
    smtp_username: str = Field("", description="SMTP login; \"\": none.")
    smtp_password: str = Field("", repr=False, description="SMTP password (set it from the environment).")
    smtp_timeout: float = Field(30.0, gt=0, description="SMTP timeout (seconds).")
    webhook_url: HttpUrlOrEmpty = Field("", description="Webhook is on when set: a signed JSON POST per batch.")
    webhook_secret: str = Field("", repr=False, description="HMAC-SHA256 key of the webhook signature "
                                                            "(set it from the environment).")
    webhook_timeout: float = Field(10.0, gt=0, description="Webhook timeout (seconds).")


class JobSettings(_Section):
    id: str = Field(min_length=1, description="Unique name of the job (the job store's key).")
    platforms: OneOrMany[CrawlPlatform] | None = Field(None, description="Platforms to crawl (default: crawl.platforms).")
    keywords: str | list[str] = Field("default", description="A keyword set of crawl.keywords by name, or a list "
                                                             "of keywords.")
    cron: str = Field(min_length=1, description="5-field crontab string \"minute hour day month day-of-week\".")
    second: str = Field("0", min_length=1, description="Cron seconds field, e.g. \"*/5\" for tests.")


class CampaignSettings(_Section):
    name: str = Field("网络销售消防产品专项整治", min_length=1,
                      description="The campaign's name, printed on the campaign report (`firewatch report campaign`).")
    start: str = Field("2026-09-01", pattern=r"^\d{4}-\d{2}-\d{2}$",
                       description="First day of the campaign (Beijing day, YYYY-MM-DD).")
    stage_due: str = Field("2026-10-30", pattern=r"^\d{4}-\d{2}-\d{2}$",
                           description="The stage summary (阶段总结) is due by this day.")
    end: str = Field("2026-12-31", pattern=r"^\d{4}-\d{2}-\d{2}$",
                     description="Last day of the campaign: a report reaching it is the overall summary (总体总结).")
    reporting_org: str = Field("消防产品网络市场监测组", min_length=1, description="Who sends the report up (its title page).")
    repeat_offender_min: int = Field(2, ge=2, description="A shop with at least this many confirmed violations is a "
                                                          "repeat offender (guidance for a first one, strict penalties "
                                                          "for repeated ones).")
    typical_cases: int = Field(4, ge=0, le=20, description="Typical cases, with their screenshots, in the report.")
    page_cache_seconds: float = Field(300, ge=0, le=86400,
                                      description="The campaign web page reuses its figures this long (the page says "
                                                  "when they were counted); 0 counts on every request.")


class ClockSettings(_Section):
    offset_days: float = Field(0, ge=-3660, le=3660, description="Simulation only: days added to the system clock "
                                                                "(the demo's campaign runs weeks in minutes). 0 in "
                                                                "production.")


class ScheduleSettings(_Section):
    timezone: TimeZone = Field("", description="Time zone of the cron fields, e.g. Asia/Shanghai; \"\": the system's.")
    misfire_grace_seconds: int = Field(600, ge=1, description="A missed run starts only if at most this many seconds "
                                                              "late; older ones are skipped.")
    stop_timeout_seconds: float = Field(20, ge=0, description="On a stop, a running child is killed after this many "
                                                              "seconds.")
    capture: bool = Field(True, description="false passes --no-capture to `firewatch process` after each crawl.")
    max_captures: int = Field(0, ge=0, description="Screenshots per process run (0: no cap).")
    jobs: list[JobSettings] = Field(
        [JobSettings(id="all-daily", platforms=list(CRAWL_PLATFORMS), keywords="default", cron="0 3 * * *")],
        description="The crawl jobs `firewatch schedule run` runs.")

    @field_validator("jobs")
    @classmethod
    def _unique_ids(cls, jobs: list[JobSettings]) -> list[JobSettings]:
        ids = [job.id for job in jobs]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"expected unique job ids ({', '.join(twice)} used twice)")
        return jobs
