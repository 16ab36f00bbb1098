"""A lively month for the demo hall: the bookings of the two weeks before the day it is loaded and the three weeks
after, in every facility, by the kind of people who use the hall, and the things that happen around them.

Everything goes through the services, as the people involved would have done it: the booker books, the manager
approves and records the payment, a closure cancels what it hits, a cancelled slot is offered to the waiting
list, the tenant asks to renew the lease. Each step is played at the moment it would have happened (``_at``),
relative to the load, so dates, payment deadlines, offers, audit entries and messages read as in a real month.

Loading is idempotent: a seeded booking is found again by its space, start and title, and each one-off story
(the series, the closure, the waiting-list offer, the renewal) is told again only when nothing of it lies ahead.
A slot that is taken, closed, outside opening hours or over a quota is skipped. Loaded a week later, the month
is topped up: the coming weeks get their bookings and the stories that ran out are told again.
"""

import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from unittest import mock

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from accounts.models import User
from bookings import selectors, series, services, waitlist
from bookings.errors import BookingError
from bookings.models import Booking, Closure, WaitlistEntry
from bookings.rules import HALL_TZ
from hall.models import Facility, Space
from hall.seed import sync
from tenants import services as tenant_services
from tenants.errors import TenancyError
from tenants.models import LeaseContract, Membership, Organization, RenewalRequest

DAYS_BEFORE = 14
DAYS_AFTER = 21
# Weeks and fortnights are counted from this Monday, so "every other week" falls on the same dates at each load.
EPOCH = date(2024, 1, 1)

STARTUP = "startup@dongnam.example"
TENANT = "tenant@dongnam.example"
MANAGERS = {
    "innovation-town": "manager.town@dongnam.example",
    "art-center": "manager.art@dongnam.example",
    "content-korea-lab": "manager.ckl@dongnam.example",
    "webtoon-campus": "manager.webtoon@dongnam.example",
}

# The hall's other users, who book alongside the demo accounts. They have no password: they cannot sign in.
NEULBOM = "jeonghee.oh@neulbom.example"
SANGNAM = "eunbi.seo@sangnam-upcycle.example"
ROBOHANDS = "daniel@robohands.example"
SMART_COMPLEX = "jihoon.moon@smartcomplex.example"
SORISUP = "doyun.lim@sorisup.example"
ART_GROUP = "minjae.kang@gnyouthart.example"
WEBTOON = "seoha.yoon@masanwebtoon.example"
SUPPORT_CENTER = "sujin.bae@gnse-center.example"
DAON = "daeun.noh@daoncare.example"

COMMUNITY = [
    # (e-mail, name, language, organization)
    (
        SUPPORT_CENTER,
        "배수진",
        "ko",
        {
            "business_number": "6098200138",
            "name": "경남사회적경제통합지원센터",
            "name_en": "Gyeongnam Social Economy Support Center",
            "kind": Organization.Kind.PUBLIC_BODY,
            "email": "center@gnse-center.example",
            "phone": "055-000-0388",
        },
    ),
    (
        DAON,
        "노다은",
        "ko",
        {
            "business_number": "6098100261",
            "name": "다온케어",
            "name_en": "Daon Care",
            "kind": Organization.Kind.SOCIAL_ENTERPRISE,
            "email": "care@daoncare.example",
            "phone": "055-000-0399",
        },
    ),
    (
        NEULBOM,
        "오정희",
        "ko",
        {
            "business_number": "6098600437",
            "name": "늘봄로컬푸드사회적협동조합",
            "name_en": "Neulbom Local Food Social Cooperative",
            "kind": Organization.Kind.COOPERATIVE,
            "email": "hello@neulbom.example",
            "phone": "055-000-0311",
        },
    ),
    (
        SANGNAM,
        "서은비",
        "ko",
        {
            "business_number": "6098600780",
            "name": "상남업사이클마을기업",
            "name_en": "Sangnam Upcycle Village Enterprise",
            "kind": Organization.Kind.VILLAGE_ENTERPRISE,
            "email": "studio@sangnam-upcycle.example",
            "phone": "055-000-0322",
        },
    ),
    (
        ROBOHANDS,
        "Daniel Park",
        "en",
        {
            "business_number": "6098100316",
            "name": "로보핸즈",
            "name_en": "RoboHands",
            "kind": Organization.Kind.STARTUP,
            "email": "team@robohands.example",
            "phone": "055-000-0333",
        },
    ),
    (
        SMART_COMPLEX,
        "문지훈",
        "ko",
        {
            "business_number": "6098200628",
            "name": "창원스마트산단사업단",
            "name_en": "Changwon Smart Industrial Complex Office",
            "kind": Organization.Kind.PUBLIC_BODY,
            "email": "office@smartcomplex.example",
            "phone": "055-000-0344",
        },
    ),
    (
        SORISUP,
        "임도윤",
        "ko",
        {
            "business_number": "6098100577",
            "name": "소리숲오디오",
            "name_en": "Sorisup Audio",
            "kind": Organization.Kind.CONTENT_COMPANY,
            "email": "studio@sorisup.example",
            "phone": "055-000-0355",
        },
    ),
    (
        ART_GROUP,
        "강민재",
        "ko",
        {
            "business_number": "6098100844",
            "name": "경남청년예술단",
            "name_en": "Gyeongnam Youth Art Collective",
            "kind": Organization.Kind.OTHER,
            "email": "art@gnyouthart.example",
            "phone": "055-000-0366",
        },
    ),
    (
        WEBTOON,
        "윤서하",
        "ko",
        {
            "business_number": "6098300912",
            "name": "마산만웹툰작가회",
            "name_en": "Masan Bay Webtoon Artists' Circle",
            "kind": Organization.Kind.OTHER,
            "email": "hello@masanwebtoon.example",
            "phone": "055-000-0377",
        },
    ),
]


@dataclass(frozen=True)
class Regular:
    """A booking someone makes week after week: same room, weekday and hours; the title changes by week."""

    space: str
    booker: str
    weekday: int  # Monday 0
    start: str
    hours: float
    attendees: int
    titles: tuple[str, ...]
    every: int = 1  # every other week: 2


REGULARS = [
    # Gyeongnam Social Economy Innovation Town
    Regular("town-meeting-a", STARTUP, 0, "10:00", 2, 6, ("투자사 IR 미팅", "엔젤투자 상담"), every=2),
    Regular("town-meeting-a", ROBOHANDS, 4, "14:00", 2, 5, ("Pitch deck review", "Investor Q&A rehearsal")),
    Regular("town-meeting-a", TENANT, 1, "14:00", 2, 6, ("협동조합 경영 컨설팅",)),
    Regular("town-meeting-a", DAON, 2, "15:00", 2, 7, ("지자체 협력 사업 회의", "돌봄 바우처 운영 점검")),
    Regular("town-meeting-b", TENANT, 1, "16:00", 2, 9, ("조합 이사회", "조합원 정기 회의")),
    Regular("town-meeting-b", DAON, 0, "13:00", 2, 10, ("돌봄 서비스 운영 회의", "자원봉사자 교육")),
    Regular("town-meeting-c", TENANT, 0, "09:00", 1, 5, ("주간 업무 회의",)),
    Regular("town-meeting-c", STARTUP, 1, "10:00", 1, 4, ("고객사 미팅", "스마트공장 도입 상담")),
    Regular("town-meeting-b", NEULBOM, 3, "09:00", 1, 6, ("로컬푸드 MD 회의", "납품 농가 간담회")),
    Regular("town-meeting-c", SANGNAM, 2, "10:00", 2, 5, ("업사이클 제품 기획 회의", "마을기업 운영위원회")),
    Regular("town-seminar", SANGNAM, 1, "10:00", 2, 25, ("자원순환 시민 강좌", "업사이클 디자인 세미나"), every=2),
    Regular(
        "town-seminar",
        SMART_COMPLEX,
        3,
        "14:00",
        3,
        30,
        ("스마트공장 구축 실무 교육", "제조 데이터 분석 입문"),
        every=2,
    ),
    Regular("town-education-hall", TENANT, 4, "14:00", 3, 60, ("사회적경제 아카데미", "협동조합 설립 설명회"), every=2),
    Regular("town-education-hall", SMART_COMPLEX, 2, "10:00", 2, 70, ("스마트산단 지원사업 설명회",), every=2),
    Regular("town-seminar", SUPPORT_CENTER, 1, "14:00", 3, 35, ("사회적기업 창업 아카데미", "사회적가치 측정 교육")),
    Regular("town-booth-1", SMART_COMPLEX, 1, "11:00", 1, 3, ("창업 멘토링 상담", "정책자금 상담")),
    Regular("town-booth-3", SUPPORT_CENTER, 2, "10:00", 1, 3, ("사회적기업 인증 상담",)),
    Regular("town-coworking", SANGNAM, 1, "13:00", 2, 20, ("업사이클 플리마켓 준비 모임",), every=2),
    Regular("town-booth-2", ROBOHANDS, 2, "15:00", 1, 2, ("Patent consultation",), every=2),
    Regular("town-coworking", ROBOHANDS, 3, "18:00", 3, 25, ("Founders' networking night",), every=2),
    Regular("town-live-commerce", NEULBOM, 2, "14:00", 3, 4, ("로컬푸드 라이브커머스 방송", "제철 농산물 라이브 판매")),
    # Dongnam Art Center
    Regular(
        "art-multipurpose-hall", ART_GROUP, 5, "14:00", 3, 120, ("청년예술단 정기 공연", "창작 무용 쇼케이스"), every=2
    ),
    Regular("art-multipurpose-hall", SORISUP, 4, "19:00", 2, 80, ("실내악 하우스 콘서트",), every=2),
    Regular("art-workshop", SANGNAM, 5, "10:00", 3, 15, ("업사이클 공예 워크숍", "자투리 천 가방 만들기")),
    Regular("art-workshop", TENANT, 2, "19:00", 2, 12, ("조합원 목공 교실",), every=2),
    Regular("art-practice-room", ART_GROUP, 1, "18:00", 2, 8, ("합창 연습",)),
    Regular("art-practice-room", ART_GROUP, 3, "18:00", 2, 5, ("밴드 합주",)),
    Regular("art-rehearsal-room", ART_GROUP, 0, "19:00", 2, 12, ("연극 〈공단의 봄〉 리허설",)),
    # Content Korea Lab
    Regular("ckl-video-studio", STARTUP, 1, "13:00", 4, 5, ("제품 홍보영상 촬영", "스마트팩토리 솔루션 데모 촬영")),
    Regular("ckl-video-studio", ROBOHANDS, 4, "10:00", 3, 4, ("Product demo video shoot",)),
    Regular("ckl-recording-booth", SORISUP, 2, "15:00", 2, 2, ("오디오북 녹음", "광고 내레이션 녹음")),
    Regular("ckl-podcast-booth", SORISUP, 0, "16:00", 2, 3, ("팟캐스트 〈창원 사람들〉 녹음",)),
    Regular("ckl-maker-space", ROBOHANDS, 3, "13:00", 4, 4, ("Gripper prototype printing", "3D printing test parts")),
    Regular("ckl-meeting-room", SORISUP, 2, "10:00", 1, 6, ("콘텐츠 기획 회의",)),
    Regular(
        "ckl-seminar-room", SORISUP, 4, "14:00", 2, 25, ("1인 크리에이터 세미나", "오디오 콘텐츠 제작 특강"), every=2
    ),
    Regular("ckl-editing-room", STARTUP, 1, "10:00", 3, 2, ("홍보영상 편집",)),
    # Webtoon Campus
    Regular("webtoon-drawing-lab", WEBTOON, 5, "10:00", 3, 16, ("웹툰 드로잉 기초반", "캐릭터 디자인 실습")),
    Regular("webtoon-drawing-lab", WEBTOON, 1, "19:00", 2, 10, ("디지털 채색 스터디",)),
    Regular("webtoon-lecture-room", WEBTOON, 3, "19:00", 2, 35, ("웹툰 작법 특강", "연재 플랫폼 입점 설명회"), every=2),
    Regular("webtoon-author-lounge", WEBTOON, 4, "16:00", 2, 10, ("작가 네트워킹 모임",)),
    Regular("webtoon-meeting-room", WEBTOON, 0, "14:00", 1, 4, ("연재 기획 회의",)),
]


@dataclass(frozen=True)
class Exhibition:
    """A gallery booked by whole days, one exhibition a fortnight."""

    space: str
    booker: str
    offset_days: int  # from the fortnight's Monday
    days: int
    titles: tuple[str, ...]


EXHIBITIONS = [
    Exhibition(
        "art-gallery-1", ART_GROUP, 1, 6, ("창원 산업유산 사진전", "경남 청년작가 기획전", "동남전시장 45년 아카이브전")
    ),
    Exhibition("art-gallery-2", WEBTOON, 9, 5, ("웹툰 원화 특별전", "마산만 웹툰 작가 단체전")),
]

SERIES_TITLE = "주간 스프린트 리뷰"
SERIES_WEEKS = 8
CLOSURE_REASON = "빔프로젝터·음향 장비 정기 점검"
WAITLIST_SLOT = ("town-seminar", time(13), time(15))
RENEWAL_NOTE = "현재 호실에서 1년 더 입주하기를 희망합니다. 지난해 사업 실적 보고서를 함께 검토해 주세요."


@contextmanager
def _at(moment: datetime) -> Iterator[None]:
    """Run what follows as if it were ``moment``: every ``timezone.now()`` (the rules, deadlines, offers, audit
    entries, messages and ``auto_now`` fields) reads it. For the loading command only, never in a process that
    serves requests."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def _pick(key: str, choices: int) -> int:
    """A stable choice among ``choices`` for a seeded item (the same at every load, unlike ``hash``)."""
    return zlib.crc32(key.encode()) % choices


def _local(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=HALL_TZ)


@dataclass
class Cast:
    users: dict[str, User]
    organizations: dict[str, Organization | None]
    managers: dict[str, User]  # by facility slug
    spaces: dict[str, Space]


class Month:
    """One load of the month at ``now``; ``created`` counts the rows it added."""

    def __init__(self, now: datetime):
        self.now = now
        self.today = timezone.localdate(now)
        self.first_day = self.today - timedelta(days=DAYS_BEFORE)
        self.last_day = self.today + timedelta(days=DAYS_AFTER)
        self.created = 0
        self.cast = self._cast()
        window = (_local(self.first_day, time(0)) - timedelta(days=14), _local(self.last_day, time(0)) + timedelta(1))
        self.seeded = set(
            Booking.objects.filter(start__gte=window[0], start__lt=window[1]).values_list("space_id", "start", "title")
        )

    # --- The people ---------------------------------------------------------------------------------

    def _cast(self) -> Cast:
        for email, name, language, organization in COMMUNITY:
            user, was_created = sync(User, {"email": email}, {"name": name, "language": language})
            if was_created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
                self.created += 1
            address = "경상남도 창원시 (데모)"
            values = {**organization, "representative": name, "address": address}
            values.pop("business_number")
            org, was_created = sync(Organization, {"business_number": organization["business_number"]}, values)
            self.created += was_created
            _, was_created = sync(Membership, {"organization": org, "user": user}, {"role": Membership.Role.OWNER})
            self.created += was_created
        emails = [STARTUP, TENANT, *(row[0] for row in COMMUNITY), *MANAGERS.values()]
        users = {user.email: user for user in User.objects.filter(email__in=emails)}
        organizations = dict.fromkeys(emails)
        for membership in Membership.objects.filter(user__email__in=emails).select_related("organization", "user"):
            organizations[membership.user.email] = membership.organization
        spaces = {space.slug: space for space in Space.objects.select_related("facility")}
        managers = {slug: users[email] for slug, email in MANAGERS.items()}
        return Cast(users=users, organizations=organizations, managers=managers, spaces=spaces)

    # --- Booking through the services -------------------------------------------------------------

    @staticmethod
    def _taken(space: Space, start: datetime, end: datetime) -> bool:
        """Asked before booking, so a taken slot is never tried: on PostgreSQL the refusal would be an INSERT
        that the exclusion constraint rejects, a write on every later load."""
        return selectors.overlapping_bookings(start=start, end=end).filter(space=space).exists()

    def book(self, *, space: Space, start: datetime, end: datetime, booker: str, title: str, attendees: int):
        """Book a slot as the booker would have, then approve and pay it as the story of its date says."""
        if (space.pk, start, title) in self.seeded:
            return None
        user = self.cast.users[booker]
        key = f"{space.slug}:{start.isoformat()}"
        booked_at, approved_at, paid_at = self._timeline(space, start, key)
        if self._taken(space, start, end):
            return None
        try:
            with _at(booked_at):
                booking = services.create_booking(
                    requested_by=user,
                    space=space,
                    start=start,
                    end=end,
                    title=title,
                    attendees=min(attendees, space.capacity),
                    organization=self.cast.organizations[booker],
                )
        except BookingError:  # a public holiday, a closure, over the organization's monthly quota: skipped
            return None
        self.seeded.add((space.pk, start, title))
        self.created += 1
        manager = self.cast.managers[space.facility.slug]
        if booking.status == Booking.Status.PENDING and approved_at is not None:
            with _at(approved_at):
                booking = services.approve_booking(booking=booking, manager=manager)
        if booking.payment_status == Booking.PaymentStatus.UNPAID:
            due = booking.payment_deadline
            if paid_at is None and due is not None and due <= self.now:
                # Due already: it was paid in time, or it would have been cancelled by now.
                paid_at = max(booking.decided_at + timedelta(minutes=1), due - timedelta(hours=1))
            if paid_at is not None:
                self.pay(booking, paid_at)
        return booking

    def pay(self, booking: Booking, at: datetime) -> Booking:
        manager = self.cast.managers[booking.space.facility.slug]
        payer = booking.organization.name if booking.organization else booking.requested_by.name
        with _at(at):
            return services.record_payment(booking=booking, manager=manager, reference=f"계좌이체 {payer}")

    def _timeline(self, space: Space, start: datetime, key: str) -> tuple[datetime, datetime | None, datetime | None]:
        """When the booking was asked for, approved and paid (None: not yet). Past bookings were approved and
        paid; coming ones are waiting for approval, approved and due, or paid, in stable proportions."""
        notice = timedelta(minutes=space.policy.min_notice_minutes) + timedelta(hours=1)
        if start <= self.now:
            booked = start - timedelta(days=3 + _pick(key, 6), hours=_pick(key + "h", 5))
            approved = min(booked + timedelta(hours=20), start - timedelta(hours=1))
            return booked, approved, min(approved + timedelta(hours=22), start - timedelta(minutes=30))
        story = _pick(key, 10)
        if story < 3:  # waiting for the manager
            booked = self.now - timedelta(hours=5 + _pick(key + "h", 60))
            return min(booked, start - notice), None, None
        if story < 6:  # approved a few hours ago; the payment is due in the next days
            booked = min(self.now - timedelta(days=1, hours=_pick(key + "h", 20)), start - notice)
            return booked, max(booked + timedelta(minutes=30), self.now - timedelta(hours=3)), None
        booked = min(self.now - timedelta(days=4), start - notice)
        return booked, booked + timedelta(days=1), booked + timedelta(days=2)

    # --- The weeks ----------------------------------------------------------------------------------

    def days(self) -> Iterator[date]:
        day = self.first_day
        while day <= self.last_day:
            yield day
            day += timedelta(days=1)

    def regulars(self) -> None:
        for day in self.days():
            week = (day - EPOCH).days // 7
            for regular in REGULARS:
                if day.weekday() != regular.weekday or week % regular.every:
                    continue
                space = self.cast.spaces[regular.space]
                start = _local(day, time.fromisoformat(regular.start))
                self.book(
                    space=space,
                    start=start,
                    end=start + timedelta(hours=regular.hours),
                    booker=regular.booker,
                    title=regular.titles[(week // regular.every) % len(regular.titles)],
                    attendees=regular.attendees,
                )

    def exhibitions(self) -> None:
        first = (self.first_day - EPOCH).days // 14 - 1
        last = (self.last_day - EPOCH).days // 14
        for fortnight in range(first, last + 1):
            for exhibition in EXHIBITIONS:
                opening = EPOCH + timedelta(days=fortnight * 14 + exhibition.offset_days)
                if not self.first_day <= opening <= self.last_day:
                    continue
                start = _local(opening, time(0))
                self.book(
                    space=self.cast.spaces[exhibition.space],
                    start=start,
                    end=start + timedelta(days=exhibition.days),
                    booker=exhibition.booker,
                    title=exhibition.titles[fortnight % len(exhibition.titles)],
                    attendees=60,
                )

    # --- The stories ----------------------------------------------------------------------------------

    def weekly_series(self) -> None:
        """The startup's sprint review, every Thursday at 16:00 in meeting room C, paid for the whole series."""
        user = self.cast.users[STARTUP]
        space = self.cast.spaces["town-meeting-c"]
        theirs = Booking.objects.filter(series__requested_by=user, series__title=SERIES_TITLE)
        if theirs.filter(start__gte=self.now + timedelta(days=7)).exists():
            return
        # The next series follows the last one; the first begins two weeks before the load.
        last = theirs.order_by("-start").values_list("start", flat=True).first()
        after = max(self.first_day, timezone.localdate(last) + timedelta(days=1)) if last else self.first_day
        first = after + timedelta(days=(3 - after.weekday()) % 7)
        start = _local(first, time(16))
        asked_at = min(self.now - timedelta(hours=1), start - timedelta(days=2))
        with _at(asked_at):
            try:
                _, bookings, _ = series.create_series(
                    requested_by=user,
                    space=space,
                    start=start,
                    end=start + timedelta(hours=1),
                    title=SERIES_TITLE,
                    attendees=5,
                    recurrence=series.Recurrence(weekdays=("TH",), count=SERIES_WEEKS),
                    organization=self.cast.organizations[STARTUP],
                    skip_conflicts=True,
                )
            except BookingError:
                return
        self.created += 1 + len(bookings)
        paid_at = min(asked_at + timedelta(hours=20), self.now - timedelta(minutes=5))
        for booking in bookings:
            if booking.payment_status == Booking.PaymentStatus.UNPAID:
                self.pay(booking, paid_at)

    def closure(self) -> None:
        """Maintenance of the Innovation Town's seminar room, a day it is booked, more than a week ahead; the
        bookings of that day are cancelled with the closure's reason (and refunded in full)."""
        town = Facility.objects.get(slug="innovation-town")
        if Closure.objects.filter(facility=town, end__gt=self.now).exists():
            return
        seminar = self.cast.spaces["town-seminar"]
        held = Booking.objects.filter(space=seminar, start__gte=_local(self.today + timedelta(days=8), time(0)))
        # Not the day of the waiting list's offer, which the tenant should be able to take.
        offered = {
            timezone.localdate(start)
            for start in held.filter(status=Booking.Status.OFFERED).values_list("start", flat=True)
        }
        approved = held.filter(status=Booking.Status.APPROVED).order_by("start").values_list("start", flat=True)
        days = [timezone.localdate(start) for start in approved if timezone.localdate(start) not in offered]
        day = days[0] if days else self.today + timedelta(days=8)
        manager = self.cast.managers["innovation-town"]
        with _at(self.now - timedelta(hours=1)):
            closure = services.create_closure(
                manager=manager,
                facility=town,
                space=seminar,
                start=_local(day, time(9)),
                end=_local(day, time(22)),
                reason=CLOSURE_REASON,
            )
            services.cancel_bookings_hit_by_closure(closure=closure, manager=manager)
        self.created += 1

    def waitlist_offer(self) -> None:
        """A cooperative cancels its seminar-room booking; the tenant, first on the waiting list, is offered it."""
        tenant = self.cast.users[TENANT]
        if WaitlistEntry.objects.filter(requested_by=tenant, start__gt=self.now).exists():
            return
        slug, opens, closes = WAITLIST_SLOT
        space = self.cast.spaces[slug]
        booker = self.cast.users[NEULBOM]
        day = self.today + timedelta(days=6)
        booking = None
        while booking is None and day < self.today + timedelta(days=16):
            start, end = _local(day, opens), _local(day, closes)
            day += timedelta(days=1)
            # Not on Thursdays, when the room's regular course begins at 14:00.
            if start.weekday() == 3 or self._taken(space, start, end):
                continue
            try:
                with _at(self.now - timedelta(days=4)):
                    booking = services.create_booking(
                        requested_by=booker,
                        space=space,
                        start=start,
                        end=end,
                        title="사회적경제 포럼 준비 회의",
                        attendees=30,
                        organization=self.cast.organizations[NEULBOM],
                    )
            except BookingError:  # a holiday, a closure: the next day
                continue
        if booking is None:
            return
        manager = self.cast.managers["innovation-town"]
        with _at(self.now - timedelta(days=3)):
            booking = services.approve_booking(booking=booking, manager=manager)
        self.pay(booking, self.now - timedelta(days=2, hours=18))
        with _at(self.now - timedelta(days=2)):
            waitlist.join_waitlist(
                user=tenant,
                space=space,
                start=start,
                end=end,
                title="협동조합 회계 실무 교육",
                attendees=20,
                organization=self.cast.organizations[TENANT],
            )
        with _at(self.now - timedelta(hours=2)):
            services.cancel_booking(booking=booking, user=booker, reason="포럼 일정이 다음 달로 미뤄졌습니다.")
        self.created += 3  # the booking, the place on the list and the offer

    def renewal(self) -> None:
        """The tenant asked two days ago to renew its lease for a year; the Innovation Town's manager reviews it."""
        tenant = self.cast.users[TENANT]
        contract = (
            LeaseContract.objects.filter(
                organization=self.cast.organizations[TENANT], status=LeaseContract.Status.ACTIVE
            )
            .select_related("unit__facility")
            .first()
        )
        if contract is None or RenewalRequest.objects.filter(contract=contract).exists():
            return
        with _at(self.now - timedelta(days=2)):
            terms = tenant_services.renewal_terms(contract)
            if not terms:
                return
            try:
                tenant_services.request_renewal(
                    contract=contract, user=tenant, term_months=12 if 12 in terms else terms[0], note=RENEWAL_NOTE
                )
            except TenancyError:  # outside the renewal window: nothing to review
                return
        self.created += 1


@transaction.atomic
def load_month(*, now: datetime | None = None) -> dict[str, int]:
    """The lively month around ``now`` (default: the moment of loading); the demo layout must be loaded."""
    # The demo's history is the demo managers' own doing: whether they have set up two-factor sign-in yet
    # does not change what they did.
    with override_settings(MANAGER_MFA_REQUIRED=False):
        month = Month(now or timezone.now())
        month.weekly_series()
        month.waitlist_offer()
        month.regulars()
        month.exhibitions()
        month.closure()
        month.renewal()
    return {"created": month.created}
