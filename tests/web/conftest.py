"""The web app on the example campaign (起步 open), on SQLite and PostgreSQL, with one person per role.

``town`` names the cast: two unit contacts whose units have tasks on different segments, the
county leader of unit A's segment (who does not hold unit B's), an inspector and the office.
The app runs on a settable clock (``clock.now``), so deadlines and grace periods are exact.
"""

from __future__ import annotations

import datetime as dt
import io
import warnings
from dataclasses import dataclass

import pytest
from PIL import Image
from sqlalchemy import select

from config.settings import Settings
from models import Assignment, Segment, Task, Unit
from services.campaigns.context import load_context
from services.campaigns.loading import get_campaign
from services.campaigns.phases import advance_phases
from services.people import auth
from services.people.users import add_user, sign_in_link
from tests.conftest import at
from web.app import create_app

with warnings.catch_warnings():
    # Starlette 1.x prefers the httpx2 package for its TestClient; httpx works the same for these tests.
    from starlette.exceptions import StarletteDeprecationWarning

    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

START = at("2025-01-20 10:00")
UNIT_A, UNIT_B = "县人民检察院", "县教育局"


class Clock:
    """A settable clock for the app under test."""

    def __init__(self, now: dt.datetime):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@dataclass
class Person:
    name: str
    phone: str
    role: str
    id: int = 0


@dataclass
class Town:
    office: Person
    inspector: Person
    unit_a: Person
    unit_b: Person
    leader_a: Person
    task_a: int  # an open task of unit A on segment_a
    task_a2: int  # another open task of unit A
    task_b: int  # an open task of unit B, on a segment leader_a does not hold
    segment_a: str
    segment_b: str


def _segment_tasks(s, unit_id: int) -> list[Task]:
    return list(s.scalars(select(Task).where(Task.unit_id == unit_id, Task.segment_id.is_not(None))
                          .order_by(Task.deadline.desc(), Task.id)))


@pytest.fixture
def town(db, example) -> Town:
    """Open 起步 and add one user per role; returns who is who and which tasks to use."""
    with db.unit_of_work() as s:
        campaign = get_campaign(s)
        advance_phases(s, ctx=load_context(s, campaign=campaign), now=at("2025-01-02 00:05"))
        units = {u.name: u for u in s.scalars(select(Unit))}
        tasks_a = _segment_tasks(s, units[UNIT_A].id)
        seg_a = s.get(Segment, tasks_a[0].segment_id)
        leader_id = s.scalars(select(Assignment.leader_id).where(Assignment.segment_id == seg_a.id)).one()
        held = set(s.scalars(select(Assignment.segment_id).where(Assignment.leader_id == leader_id)))
        task_b = next(t for t in _segment_tasks(s, units[UNIT_B].id) if t.segment_id not in held)
        seg_b = s.get(Segment, task_b.segment_id)
        from models import Leader

        leader = s.get(Leader, leader_id)
        cast = {
            "office": Person("周文静", "13800001001", "office"),
            "inspector": Person("督查员甲", "13900000001", "inspector"),
            "unit_a": Person("孙立新", "13800001002", "unit"),
            "unit_b": Person("马海涛", "13800001003", "unit"),
            "leader_a": Person(leader.name, leader.phone or "13800000009", "leader"),
        }
        unit_of = {"office": "县创卫办", "unit_a": UNIT_A, "unit_b": UNIT_B}
        for key, p in cast.items():
            user = add_user(s, campaign=campaign, name=p.name, phone=p.phone, role=p.role, unit=unit_of.get(key),
                            password="password-" + key, now=at("2025-01-02 09:00"))
            p.id = user.id
        same_segment = [t for t in tasks_a if t.segment_id == seg_a.id]
        return Town(task_a=same_segment[0].id, task_a2=same_segment[1].id, task_b=task_b.id,
                    segment_a=seg_a.code, segment_b=seg_b.code, **cast)


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def settings(db_url, tmp_path) -> Settings:
    return Settings(database_url=db_url, data_dir=tmp_path / "data", output_dir=tmp_path / "out")


@pytest.fixture
def app(settings, clock, town):
    """The app built from settings (its own engine on the test database), closed afterwards."""
    application = create_app(settings, clock=clock)
    yield application
    application.state.services.db.dispose()


@pytest.fixture
def client(app):
    with TestClient(app, follow_redirects=False) as c:
        yield c


def link_token(db, person: Person, now: dt.datetime = START) -> str:
    with db.unit_of_work() as s:
        return sign_in_link(s, campaign=get_campaign(s), phone=person.phone, now=now)[1]


@pytest.fixture
def browser_for(app, db, clock):
    """``browser_for(person)``: a TestClient signed in by that person's link (session cookie)."""
    clients = []

    def make(person: Person) -> TestClient:
        c = TestClient(app, follow_redirects=False)
        clients.append(c)
        r = c.post(f"/l/{link_token(db, person, clock.now)}")
        assert r.status_code == 303 and "cw_session" in c.cookies
        return c

    yield make
    for c in clients:
        c.close()


@pytest.fixture
def api_for(app, db, clock):
    """``api_for(person)``: a TestClient sending that person's bearer token."""
    clients = []

    def make(person: Person) -> TestClient:
        c = TestClient(app, follow_redirects=False)
        clients.append(c)
        r = c.post("/api/auth/token", json={"link_token": link_token(db, person, clock.now)})
        assert r.status_code == 200, r.text
        c.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
        return c

    yield make
    for c in clients:
        c.close()


def csrf_of(client: TestClient) -> str:
    return auth.csrf_token(client.cookies["cw_session"])


def jpeg(*, taken: dt.datetime | None = None, lon: float | None = None, lat: float | None = None,
         colour: tuple[int, int, int] = (90, 140, 60), size: tuple[int, int] = (640, 480), fmt: str = "JPEG") -> bytes:
    """A real photo file with EXIF DateTimeOriginal (+ offset) and GPS, written by Pillow."""
    exif = Image.Exif()
    exif[0x0110] = "TestPhone"
    if taken is not None:
        sub = exif.get_ifd(0x8769)
        sub[36867] = taken.strftime("%Y:%m:%d %H:%M:%S")
        sub[36881] = taken.strftime("%z")[:3] + ":" + taken.strftime("%z")[3:]
    if lon is not None and lat is not None:
        gps = exif.get_ifd(0x8825)

        def dms(v: float) -> tuple[float, float, float]:
            d = int(abs(v))
            m = int((abs(v) - d) * 60)
            return (float(d), float(m), round((abs(v) - d - m / 60) * 3600, 4))

        gps[1], gps[2] = ("N" if lat >= 0 else "S"), dms(lat)
        gps[3], gps[4] = ("E" if lon >= 0 else "W"), dms(lon)
    buf = io.BytesIO()
    _scene(size, colour).save(buf, fmt, exif=exif)
    return buf.getvalue()


def _scene(size: tuple[int, int], colour: tuple[int, int, int]) -> Image.Image:
    """A street-like picture (sky, kerb, road), so screenshots show something photo-like; ``colour`` tints it."""
    from PIL import ImageDraw

    w, h = size
    image = Image.new("RGB", size, (150, 190, 225))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, h * 0.45, w, h], fill=colour)
    draw.polygon([(w * 0.35, h * 0.45), (w * 0.65, h * 0.45), (w, h), (0, h)], fill=(95, 95, 100))
    draw.line([(w * 0.5, h * 0.5), (w * 0.5, h)], fill=(240, 240, 240), width=max(2, w // 100))
    draw.rectangle([w * 0.08, h * 0.2, w * 0.3, h * 0.45], fill=(200, 70, 60))
    return image
