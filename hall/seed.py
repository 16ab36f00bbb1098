"""The hall as data: its real buildings and facilities, as named in the article about the hall.

``seed_dongnam`` loads them (without ``--demo``, also in production). Loading is idempotent: every row is found
by its stable key and written only where it differs.
"""

from django.db import transaction

from hall.models import Building, Facility

BUILDINGS = [
    {
        "slug": "main",
        "name": "본관동",
        "name_en": "Main building",
        "description": "경남사회적경제혁신타운과 동남아트센터가 있는 본관입니다.",
        "description_en": "Home of the Gyeongnam Social Economy Innovation Town and the Dongnam Art Center.",
        "position": 1,
    },
    {
        "slug": "east",
        "name": "동관",
        "name_en": "East building",
        "description": "콘텐츠코리아랩과 웹툰캠퍼스가 있는 동관입니다.",
        "description_en": "Home of Content Korea Lab and the Webtoon Campus.",
        "position": 2,
    },
]

FACILITIES = [
    {
        "slug": "innovation-town",
        "building": "main",
        "name": "경남사회적경제혁신타운",
        "name_en": "Gyeongnam Social Economy Innovation Town",
        "description": "사회적기업, 협동조합, 스타트업을 위한 사무실, 회의실, 교육실, 라이브커머스 스튜디오.",
        "description_en": "Offices, meeting and education rooms and a live-commerce studio for social enterprises, "
        "cooperatives and startups.",
        "operator": "경상남도",
        "position": 1,
    },
    {
        "slug": "art-center",
        "building": "main",
        "name": "동남아트센터",
        "name_en": "Dongnam Art Center",
        "description": "전시실, 공연장, 워크숍실을 갖춘 문화 공간.",
        "description_en": "A cultural space with galleries, a performance hall and workshop rooms.",
        "operator": "창원시",
        "position": 2,
    },
    {
        "slug": "content-korea-lab",
        "building": "east",
        "name": "콘텐츠코리아랩",
        "name_en": "Content Korea Lab",
        "description": "창작자를 위한 영상 스튜디오, 녹음 부스, 메이커 스페이스, 세미나실. "
        "공간과 장비는 무료로 대여합니다.",
        "description_en": "Video studio, recording booth, maker space and seminar rooms for creators. "
        "Spaces and equipment are lent free of charge.",
        "operator": "경남문화예술진흥원",
        "position": 3,
    },
    {
        "slug": "webtoon-campus",
        "building": "east",
        "name": "웹툰캠퍼스",
        "name_en": "Webtoon Campus",
        "description": "웹툰 작가를 위한 드로잉 랩, 강의실, 작가 라운지와 입주 작가실.",
        "description_en": "Drawing lab, lecture room, author lounge and resident writers' rooms for webtoon creators.",
        "operator": "경남문화예술진흥원",
        "position": 4,
    },
]


def sync(model, lookup: dict, values: dict):
    """Create the row, or update it only where it differs: a second run writes nothing."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **values), True
    changed = [field for field, value in values.items() if getattr(obj, field) != value]
    if changed:
        for field in changed:
            setattr(obj, field, values[field])
        obj.save(update_fields=changed)
    return obj, False


@transaction.atomic
def load_hall() -> dict[str, int]:
    """The real buildings and facilities of the hall."""
    created = 0
    buildings = {}
    for data in BUILDINGS:
        values = {key: value for key, value in data.items() if key != "slug"}
        buildings[data["slug"]], was_created = sync(Building, {"slug": data["slug"]}, values)
        created += was_created
    for data in FACILITIES:
        values = {key: value for key, value in data.items() if key not in ("slug", "building")}
        _, was_created = sync(Facility, {"slug": data["slug"]}, {**values, "building": buildings[data["building"]]})
        created += was_created
    return {"created": created}
