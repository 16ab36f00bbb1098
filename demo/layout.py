"""The demo layout: rooms, fees, units, organizations, a lease and the demo accounts, on top of the hall.

The rooms, units, fees and organizations are invented for the demo (see the note on the home page); the
buildings and facilities are the hall's own (``hall.seed``). Loading is idempotent: every row is found by its
stable key.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from allauth.account.models import EmailAddress
from dateutil.relativedelta import relativedelta
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from demo.month import load_month
from hall.models import Amenity, Facility, Space
from hall.opening_hours import default_opening_hours
from hall.seed import load_hall, sync
from tenants.models import LeasableUnit, LeaseContract, Membership, Organization

AMENITIES = [
    ("projector", "빔프로젝터", "Projector"),
    ("screen", "스크린", "Screen"),
    ("whiteboard", "화이트보드", "Whiteboard"),
    ("video-conference", "화상회의 장비", "Video conferencing"),
    ("sound-system", "음향 장비", "Sound system"),
    ("microphone", "마이크", "Microphone"),
    ("wifi", "와이파이", "Wi-Fi"),
    ("accessible", "휠체어 접근 가능", "Wheelchair accessible"),
    ("stage-lighting", "조명 장비", "Stage lighting"),
    ("drawing-tablets", "드로잉 태블릿", "Drawing tablets"),
    ("recording-gear", "녹음 장비", "Recording equipment"),
    ("camera-gear", "촬영 장비", "Camera equipment"),
    ("3d-printer", "3D 프린터", "3D printer"),
    ("kitchenette", "탕비실", "Kitchenette"),
    ("piano", "피아노", "Piano"),
]

# Shorthands for the demo rooms below.
_MEET = ["whiteboard", "wifi", "screen"]
_TALK = ["projector", "screen", "microphone", "sound-system", "wifi", "accessible"]
# Galleries are let by whole days, for exhibitions of one day to two weeks.
_BY_DAY = {
    "booking_unit": "day",
    "slot_minutes": 1440,
    "min_duration_minutes": 1440,
    "max_duration_minutes": 14 * 1440,
    "min_notice_minutes": 1440,
}

# (facility, slug, name, name_en, kind, floor, capacity, area m², amenities, extra fields)
SPACES = [
    (
        "innovation-town",
        "town-meeting-a",
        "회의실 A",
        "Meeting room A",
        "meeting_room",
        2,
        8,
        24,
        [*_MEET, "video-conference"],
        {},
    ),
    (
        "innovation-town",
        "town-meeting-b",
        "회의실 B",
        "Meeting room B",
        "meeting_room",
        2,
        12,
        36,
        [*_MEET, "video-conference", "projector"],
        {},
    ),
    (
        "innovation-town",
        "town-meeting-c",
        "회의실 C",
        "Meeting room C",
        "meeting_room",
        2,
        6,
        18,
        _MEET,
        {"requires_approval": False},
    ),
    ("innovation-town", "town-seminar", "세미나실", "Seminar room", "seminar_room", 3, 40, 90, _TALK, {}),
    (
        "innovation-town",
        "town-education-hall",
        "교육장",
        "Education hall",
        "education_hall",
        1,
        80,
        180,
        [*_TALK, "stage-lighting"],
        {},
    ),
    (
        "innovation-town",
        "town-booth-1",
        "상담부스 1",
        "Consulting booth 1",
        "consulting_booth",
        1,
        4,
        8,
        ["wifi"],
        {"requires_approval": False},
    ),
    (
        "innovation-town",
        "town-booth-2",
        "상담부스 2",
        "Consulting booth 2",
        "consulting_booth",
        1,
        4,
        8,
        ["wifi"],
        {"requires_approval": False},
    ),
    (
        "innovation-town",
        "town-booth-3",
        "상담부스 3",
        "Consulting booth 3",
        "consulting_booth",
        1,
        4,
        8,
        ["wifi", "accessible"],
        {"requires_approval": False},
    ),
    (
        "innovation-town",
        "town-coworking",
        "코워킹 라운지",
        "Co-working lounge",
        "coworking",
        1,
        30,
        120,
        ["wifi", "kitchenette", "accessible"],
        {},
    ),
    (
        "innovation-town",
        "town-live-commerce",
        "라이브커머스 스튜디오",
        "Live-commerce studio",
        "studio",
        2,
        6,
        40,
        ["camera-gear", "stage-lighting", "microphone", "wifi"],
        {},
    ),
    (
        "art-center",
        "art-gallery-1",
        "제1전시실",
        "Gallery 1",
        "gallery",
        1,
        200,
        600,
        ["stage-lighting", "accessible"],
        _BY_DAY,
    ),
    (
        "art-center",
        "art-gallery-2",
        "제2전시실",
        "Gallery 2",
        "gallery",
        1,
        80,
        240,
        ["stage-lighting", "accessible"],
        _BY_DAY,
    ),
    (
        "art-center",
        "art-multipurpose-hall",
        "다목적홀",
        "Multipurpose hall",
        "hall",
        1,
        150,
        320,
        [*_TALK, "stage-lighting", "piano"],
        {},
    ),
    (
        "art-center",
        "art-workshop",
        "워크숍 스튜디오",
        "Workshop studio",
        "workshop",
        2,
        20,
        70,
        ["whiteboard", "wifi", "kitchenette"],
        {},
    ),
    (
        "art-center",
        "art-practice-room",
        "연습실",
        "Practice room",
        "practice_room",
        2,
        10,
        45,
        ["piano", "sound-system"],
        {},
    ),
    (
        "art-center",
        "art-rehearsal-room",
        "리허설룸",
        "Rehearsal room",
        "practice_room",
        2,
        15,
        60,
        ["sound-system", "microphone"],
        {},
    ),
    (
        "content-korea-lab",
        "ckl-video-studio",
        "영상 스튜디오",
        "Video studio",
        "studio",
        1,
        8,
        80,
        ["camera-gear", "stage-lighting", "microphone"],
        {},
    ),
    (
        "content-korea-lab",
        "ckl-recording-booth",
        "녹음 부스",
        "Recording booth",
        "recording_booth",
        1,
        3,
        10,
        ["recording-gear", "microphone"],
        {},
    ),
    (
        "content-korea-lab",
        "ckl-podcast-booth",
        "팟캐스트 부스",
        "Podcast booth",
        "recording_booth",
        1,
        4,
        12,
        ["recording-gear", "microphone"],
        {"requires_approval": False},
    ),
    (
        "content-korea-lab",
        "ckl-maker-space",
        "메이커 스페이스",
        "Maker space",
        "maker_space",
        2,
        15,
        110,
        ["3d-printer", "wifi", "accessible"],
        {},
    ),
    (
        "content-korea-lab",
        "ckl-meeting-room",
        "회의실",
        "Meeting room",
        "meeting_room",
        2,
        10,
        30,
        [*_MEET, "video-conference"],
        {"requires_approval": False},
    ),
    ("content-korea-lab", "ckl-seminar-room", "세미나실", "Seminar room", "seminar_room", 2, 30, 75, _TALK, {}),
    (
        "content-korea-lab",
        "ckl-editing-room",
        "편집실",
        "Editing room",
        "studio",
        2,
        4,
        16,
        ["wifi"],
        {"requires_approval": False},
    ),
    (
        "webtoon-campus",
        "webtoon-drawing-lab",
        "드로잉 랩",
        "Drawing lab",
        "drawing_lab",
        3,
        20,
        85,
        ["drawing-tablets", "wifi", "projector"],
        {},
    ),
    ("webtoon-campus", "webtoon-lecture-room", "강의실", "Lecture room", "lecture_room", 3, 40, 90, _TALK, {}),
    (
        "webtoon-campus",
        "webtoon-author-lounge",
        "작가 라운지",
        "Author lounge",
        "lounge",
        3,
        12,
        50,
        ["wifi", "kitchenette"],
        {"requires_approval": False},
    ),
    (
        "webtoon-campus",
        "webtoon-meeting-room",
        "웹툰 회의실",
        "Webtoon meeting room",
        "meeting_room",
        3,
        6,
        20,
        _MEET,
        {"requires_approval": False},
    ),
]

# Demo fees in KRW: per hour, or per day for the galleries. Content Korea Lab and the Webtoon Campus
# lend their spaces free of charge (fee 0).
FEES = {
    "town-meeting-a": 10_000,
    "town-meeting-b": 15_000,
    "town-meeting-c": 8_000,
    "town-seminar": 30_000,
    "town-education-hall": 50_000,
    "town-booth-1": 5_000,
    "town-booth-2": 5_000,
    "town-booth-3": 5_000,
    "town-coworking": 20_000,
    "town-live-commerce": 25_000,
    "art-gallery-1": 200_000,
    "art-gallery-2": 100_000,
    "art-multipurpose-hall": 80_000,
    "art-workshop": 20_000,
    "art-practice-room": 10_000,
    "art-rehearsal-room": 15_000,
}

# Content Korea Lab and the Webtoon Campus lend their spaces free of charge and keep shorter hours.
_CULTURE_HOURS = {**default_opening_hours(), "sat": [["10:00", "17:00"]]}
FACILITY_POLICIES = {
    "innovation-town": {
        "tenant_max_days_ahead": 120,
        "tenant_reduction_percent": 50,
        "social_economy_reduction_percent": 30,
        "monthly_quota_hours": 20,
        "tenant_monthly_quota_hours": 40,
        # Fictional demo accounts (the 0000 groups): the real ones are entered in the admin.
        "bank_name": "농협",
        "bank_account_number": "301-0000-0000-01",
        "bank_account_holder": "경남사회적경제혁신타운",
    },
    "art-center": {
        "max_days_ahead": 90,
        "tenant_max_days_ahead": 120,
        "max_duration_minutes": 720,
        "bank_name": "경남은행",
        "bank_account_number": "207-0000-0000-02",
        "bank_account_holder": "동남아트센터",
    },
    "content-korea-lab": {"opening_hours": _CULTURE_HOURS, "max_days_ahead": 30, "tenant_max_days_ahead": 60},
    "webtoon-campus": {"opening_hours": _CULTURE_HOURS, "max_days_ahead": 30, "tenant_max_days_ahead": 60},
}


def _units():
    """Offices 101–120 of the Innovation Town and writers' rooms W1–W10 of the Webtoon Campus."""
    for number in range(1, 21):
        area = Decimal(20 + (number * 7) % 41)  # 20–60 m², varied
        yield "innovation-town", f"1{number:02d}", 1 if number <= 10 else 2, area, int(area) * 12_000
    for number in range(1, 11):
        area = Decimal(10 + number % 6)  # 10–15 m²
        yield "webtoon-campus", f"W{number}", 3, area, int(area) * 8_000


# The rooms' pictures by kind of room: illustrations made for the project (demo/photos, CC0).
PHOTOS = Path(__file__).resolve().parent / "photos"
SPACE_PICTURES = {
    "meeting_room": "meeting-room",
    "consulting_booth": "meeting-room",
    "seminar_room": "seminar-room",
    "lecture_room": "seminar-room",
    "education_hall": "seminar-room",
    "hall": "seminar-room",
    "gallery": "gallery",
    "studio": "studio",
    "coworking": "coworking",
    "lounge": "coworking",
    "drawing_lab": "webtoon-lab",
    "maker_space": "maker-space",
    "workshop": "maker-space",
    "recording_booth": "sound-room",
    "practice_room": "sound-room",
}


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    role: str
    manages: tuple[str, ...] = ()
    superuser: bool = False


DEMO_ACCOUNTS = [
    DemoAccount("admin@dongnam.example", "관리자", "admin (manages every facility)", superuser=True),
    DemoAccount("manager.town@dongnam.example", "김혁신", "manager, Innovation Town", manages=("innovation-town",)),
    DemoAccount("manager.art@dongnam.example", "박예술", "manager, Art Center", manages=("art-center",)),
    DemoAccount(
        "manager.ckl@dongnam.example", "이콘텐츠", "manager, Content Korea Lab", manages=("content-korea-lab",)
    ),
    DemoAccount("manager.webtoon@dongnam.example", "최웹툰", "manager, Webtoon Campus", manages=("webtoon-campus",)),
    DemoAccount("startup@dongnam.example", "정창업", "owner of a startup (no lease)"),
    DemoAccount("tenant@dongnam.example", "한입주", "owner of a tenant cooperative"),
]

DEMO_ORGANIZATIONS = [
    {
        "business_number": "6098200012",
        "name": "창원스마트팩토리랩",
        "name_en": "Changwon Smart Factory Lab",
        "kind": Organization.Kind.STARTUP,
        "representative": "정창업",
        "email": "hello@smartfactorylab.example",
        "phone": "055-000-0101",
        "address": "경상남도 창원시 성산구 (데모)",
        "members": [("startup@dongnam.example", Membership.Role.OWNER)],
    },
    {
        "business_number": "6098600024",
        "name": "동남사회적협동조합",
        "name_en": "Dongnam Social Cooperative",
        "kind": Organization.Kind.COOPERATIVE,
        "representative": "한입주",
        "email": "office@dongnamcoop.example",
        "phone": "055-000-0202",
        "address": "경상남도 창원시 성산구 동남전시장 본관 105호 (데모)",
        "members": [("tenant@dongnam.example", Membership.Role.OWNER)],
        "lease": {"facility": "innovation-town", "unit": "105", "years": 2, "ends_in_days": 45},
    },
]


@transaction.atomic
def load_demo(*, password: str, month: bool = False) -> dict[str, int]:
    """The demo layout: policies, amenities, rooms with their pictures, units, organizations and verified
    accounts; with ``month``, also the lively month of bookings around today (``demo.month``), as
    ``seed_dongnam --demo`` loads it. Without it (the browser tests), the hall is empty of bookings."""
    created = load_hall()["created"]
    facilities = {facility.slug: facility for facility in Facility.objects.all()}
    for slug, policy in FACILITY_POLICIES.items():
        sync(Facility, {"slug": slug}, policy)

    amenities = {}
    for slug, name, name_en in AMENITIES:
        amenities[slug], was_created = sync(Amenity, {"slug": slug}, {"name": name, "name_en": name_en})
        created += was_created

    for facility, slug, name, name_en, kind, floor, capacity, area, amenity_slugs, extra in SPACES:
        values = {
            "facility": facilities[facility],
            "name": name,
            "name_en": name_en,
            "kind": kind,
            "floor": floor,
            "capacity": capacity,
            "area_m2": Decimal(area),
            "fee": FEES.get(slug, 0),
            **extra,
        }
        space, was_created = sync(Space, {"slug": slug}, values)
        created += was_created
        wanted = {amenities[a].pk for a in amenity_slugs}
        if set(space.amenities.values_list("pk", flat=True)) != wanted:
            space.amenities.set(wanted)
        _attach_picture(space)

    for facility, code, floor, area, rent in _units():
        _, was_created = sync(
            LeasableUnit,
            {"facility": facilities[facility], "code": code},
            {
                "floor": floor,
                "area_m2": area,
                "monthly_rent": rent,
                "maintenance_fee": int(area) * 2_000,
                "deposit": rent * 10,
            },
        )
        created += was_created

    users = {}
    for account in DEMO_ACCOUNTS:
        user, was_created = sync(
            User,
            {"email": account.email},
            {"name": account.name, "is_superuser": account.superuser, "is_staff": account.superuser},
        )
        created += was_created
        if not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
        # Demo accounts are verified, so they can sign in without opening an e-mail.
        sync(EmailAddress, {"user": user, "email": account.email}, {"verified": True, "primary": True})
        for slug in account.manages:
            if not facilities[slug].managers.filter(pk=user.pk).exists():
                facilities[slug].managers.add(user)
        users[account.email] = user

    for data in DEMO_ORGANIZATIONS:
        values = {key: value for key, value in data.items() if key not in ("business_number", "members", "lease")}
        organization, was_created = sync(Organization, {"business_number": data["business_number"]}, values)
        created += was_created
        for email, role in data["members"]:
            sync(Membership, {"organization": organization, "user": users[email]}, {"role": role})
        if data.get("lease"):
            created += _load_demo_lease(organization, facilities, data["lease"])
    if month:
        created += load_month()["created"]
    return {"created": created}


def _attach_picture(space: Space) -> None:
    """Give a demo room the picture of its kind. A photo uploaded since is kept; a picture missing from the
    media storage (a fresh ``var/media``) is stored again under its name, without touching the row."""
    picture = SPACE_PICTURES.get(space.kind)
    if picture is None:
        return
    name = f"spaces/demo-{picture}.webp"
    if space.photo.name not in ("", name):
        return
    storage = space.photo.storage
    if not storage.exists(name):
        with (PHOTOS / f"{picture}.webp").open("rb") as source:
            name = storage.save(name, File(source))
    if space.photo.name != name:
        space.photo = name
        space.save(update_fields=["photo"])


def _load_demo_lease(organization, facilities, lease: dict) -> int:
    """An active lease ending some weeks after the day the demo is first loaded, so renewal can be tried.

    Loading again later keeps the contract as it is (its dates are those of the first load).
    """
    unit = LeasableUnit.objects.get(facility=facilities[lease["facility"]], code=lease["unit"])
    if LeaseContract.objects.filter(organization=organization, unit=unit).exists():
        return 0
    end = timezone.localdate() + timedelta(days=lease["ends_in_days"])
    LeaseContract.objects.create(
        organization=organization,
        unit=unit,
        start_date=end - relativedelta(years=lease["years"]) + timedelta(days=1),
        end_date=end,
        monthly_rent=unit.monthly_rent,
        maintenance_fee=unit.maintenance_fee,
        deposit=unit.deposit,
        status=LeaseContract.Status.ACTIVE,
        signed_at=timezone.now(),
    )
    return 1
