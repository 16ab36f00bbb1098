"""The National Tax Service's business status API (국세청 사업자등록 상태조회), on the public data portal.

``POST {NTS_API_BASE}/nts-businessman/v1/status?serviceKey=…`` with ``{"b_no": ["1234567890", …]}``, at most
100 numbers per call. Each answer row carries ``b_stt_cd``: 01 계속사업자 (in business), 02 휴업자 (suspended),
03 폐업자 (closed), or empty with ``tax_type`` saying the number is not registered.
"""

import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings

logger = logging.getLogger(__name__)

MAX_NUMBERS_PER_CALL = 100
STATUS_BY_CODE = {"01": "active", "02": "suspended", "03": "closed"}


class NtsUnavailable(Exception):
    """The API could not be asked or gave no usable answer: the numbers stay unverified, to be asked later."""


@dataclass(frozen=True)
class BusinessStatus:
    number: str
    status: str  # active, suspended, closed or unverified (not registered with the tax service)
    note: str  # the tax service's own words: "계속사업자", "폐업자 (2024-03-31)", "등록되지 않은 …"


def is_configured() -> bool:
    return bool(settings.NTS_SERVICE_KEY)


def _row_status(row: dict) -> BusinessStatus:
    number = str(row.get("b_no", ""))
    status = STATUS_BY_CODE.get(str(row.get("b_stt_cd") or ""), "unverified")
    note = str(row.get("b_stt") or row.get("tax_type") or "")[:200]
    end_date = str(row.get("end_dt") or "")
    if status == "closed" and len(end_date) == 8:
        note = f"{note} ({end_date[:4]}-{end_date[4:6]}-{end_date[6:]})"
    return BusinessStatus(number=number, status=status, note=note)


def fetch_statuses(numbers: list[str]) -> dict[str, BusinessStatus]:
    """The status of each number (10 digits), asked in one call; raises NtsUnavailable on any failure."""
    if not numbers:
        return {}
    if len(numbers) > MAX_NUMBERS_PER_CALL:
        raise ValueError(f"at most {MAX_NUMBERS_PER_CALL} numbers per call")
    query = urllib.parse.urlencode({"serviceKey": settings.NTS_SERVICE_KEY, "returnType": "JSON"})
    request = urllib.request.Request(
        f"{settings.NTS_API_BASE}/nts-businessman/v1/status?{query}",
        data=json.dumps({"b_no": numbers}).encode(),
        headers={"Content-Type": "application/json", "Accept": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.NTS_TIMEOUT) as response:
            body = json.loads(response.read().decode("utf-8"))
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
        # The key never goes to the log: the URL carries it.
        logger.warning("NTS status API unavailable: %s", type(error).__name__)
        raise NtsUnavailable(str(type(error).__name__)) from None
    if not isinstance(body, dict) or body.get("status_code") != "OK" or not isinstance(body.get("data"), list):
        code = body.get("status_code") if isinstance(body, dict) else None
        logger.warning("NTS status API answered without data: %s", code)
        raise NtsUnavailable(str(code))
    rows = [_row_status(row) for row in body["data"] if isinstance(row, dict)]
    return {row.number: row for row in rows if row.number in numbers}
