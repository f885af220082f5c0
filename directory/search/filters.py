"""Filtering the directory by issue, kind, channel, nation, age, cost, referral and hours."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy import (
    Boolean,
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    any_,
    bindparam,
    cast,
    false,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, aliased, joinedload, selectinload
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.types import NullType

from directory.hours import NATIONS, is_bank_holiday, to_london, week_minute
from directory.models import (
    Channel,
    OpeningInterval,
    SearchDocument,
    SearchIssue,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from directory.search.availability import service_status
from directory.search.vocabulary import load_vocabulary


@dataclass(frozen=True)
class ServiceFilters:
    at: datetime
    issue: str | None = None
    kind: str | None = None
    channel: str | None = None
    nation: str | None = None
    age: int | None = None
    free: bool | None = None
    self_referral: bool | None = None
    open_now: bool | None = None
    language: str | None = None
    include_demo: bool = True
    without_phone: bool = False  # only services reachable without a voice call


def with_details(statement: Select[tuple[Service]]) -> Select[tuple[Service]]:
    """Load everything a service response shows in a handful of queries, not one per row."""
    # One-to-one parts ride along in the main query; each collection costs one more.
    return statement.options(
        joinedload(Service.organization),
        joinedload(Service.schedule),
        joinedload(Service.eligibility),
        joinedload(Service.coverage),
        selectinload(Service.channels).joinedload(Channel.schedule),
        selectinload(Service.nation_rows),
        selectinload(Service.issues).joinedload(TaxonomyTerm.parent),
        selectinload(Service.location_links).joinedload(ServiceAtLocation.location),
    )


def issue_clause(codes: list[str], nation: str | None = None) -> ColumnElement[bool]:
    """Documents of services with any of these issues, or a narrower term of one of them
    (search_issue lists each document under its terms and their broader ones); only those
    in `nation`, if given, decided on search_issue's own copy (the document's is checked
    too, by document_conditions)."""
    in_nation = contains(SearchIssue.nations, nation) if nation is not None else None
    return _with_issue(SearchIssue.issue_code.in_(codes), in_nation)


def _with_issue(
    issue: ColumnElement[bool],
    in_nation: ColumnElement[bool] | None,
    open_now: ColumnElement[bool] | None = None,
) -> ColumnElement[bool]:
    """Documents of the search_issue rows that meet these conditions."""
    conditions = [c for c in (issue, in_nation, open_now) if c is not None]
    return SearchDocument.id.in_(select(SearchIssue.document_id).where(*conditions))


def issue_open_now(minute: int) -> ColumnElement[bool]:
    """PostgreSQL: the search_issue rows whose documents may be open at this minute of the
    week: open by their weekly intervals, or with hours the exact rules may decide (copies of
    the document's, search/index.py). A superset of the documents open_now_sql finds open,
    decided on search_issue's index: for anxiety in England on a weekday evening, 4,131 of
    7,866 documents are then read, and the load's issue + open-now searches' candidates query
    took 3.4 ms on average instead of 4.5 (50,000 services)."""
    return or_(open_in_week(SearchIssue.open_week, minute), SearchIssue.open_week_incomplete)


def open_in_week(open_week: Any, minute: int) -> ColumnElement[bool]:
    """PostgreSQL: whether an open_week multirange holds this minute of the week (false when
    it is NULL)."""
    contains = open_week.op("@>", return_type=Boolean)
    return func.coalesce(contains(literal(minute, Integer)), false())


def issue_copy_clause(session: Session, codes: list[str]) -> ColumnElement[bool]:
    """Like issue_clause, on the document's own copy of its issue codes: cheaper when another
    condition picks the rows (a list of ids, the national-services index), because it reads
    only the row at hand instead of listing every service with the issue first."""
    return or_(
        false(), *(contains(SearchDocument.issue_codes, code) for code in narrower(session, codes))
    )


def narrower(session: Session, codes: list[str]) -> list[str]:
    """These issue codes and their narrower terms' codes: from the vocabulary (kept for a
    minute), or from the taxonomy when a code is newer than that (or not an issue)."""
    known = load_vocabulary(session).narrower
    if all(code in known for code in codes):
        return list(dict.fromkeys(c for code in codes for c in known[code]))
    parents = select(TaxonomyTerm.id).where(TaxonomyTerm.code.in_(codes))
    return list(
        session.scalars(
            select(TaxonomyTerm.code).where(
                or_(TaxonomyTerm.code.in_(codes), TaxonomyTerm.parent_id.in_(parents))
            )
        ).all()
    )


# Ways to get help that need no voice call ("I can't use the phone").
NOT_BY_PHONE = ("text", "email", "web_chat", "app", "online_community", "in_person", "video")


def contains(column: ColumnElement[str], code: str) -> ColumnElement[bool]:
    """Whether a padded list copy (" ENG WLS ") holds this code."""
    return column.like(padded(code))


def padded(code: str) -> str:
    """The LIKE pattern for a code in a padded list copy, as a literal or a parameter."""
    return f"% {code} %"


def among(
    column: ColumnElement[Any], name: str, dialect: str, item_type: type[Integer | String] = Integer
) -> ColumnElement[bool]:
    """`column IN ids`, with the ids as one parameter, `name`, given at execution as
    among_value(ids): a JSON array (SQLite) or an array literal cast to an array
    (PostgreSQL). The statement is then the same whatever the ids, so it is built and
    compiled once; as a list, SQLAlchemy rendered and bound a placeholder per id on every
    search, 7 ms for the 3,000 ids of a search near a city."""
    if dialect == "sqlite":
        values = func.json_each(bindparam(name, type_=String)).table_valued("value")
        return column.in_(select(values.c.value))
    return column == any_(cast(bindparam(name, type_=NullType()), ARRAY(item_type)))


def among_param(name: str, ids: list[int], dialect: str) -> BindParameter[Any]:
    """`name` bound to among_value(ids), for `= ANY(CAST(:name AS integer[]))` in SQL text."""
    return bindparam(name, among_value(ids, dialect), type_=NullType())


def among_value(ids: list[int] | list[str], dialect: str) -> str:
    """The value of an among() parameter (or among_param): one string, written in C.
    psycopg writes a Python list as an array element by element in Python: 690 us of a
    worker's CPU for 600 ids, against 220 for this. Untyped (NullType), it reaches
    PostgreSQL as a literal of unknown type that the CAST types as an array, once: as a
    VARCHAR, the cast ran again for every row (search's PostgreSQL CPU rose by a tenth).

    Ids and plain strings in a JSON array are also PostgreSQL's array literal between
    braces, in double quotes where strings; only backslash escapes differ (JSON's \\n is
    PostgreSQL's n), so a string with a quote, a backslash or a control character, which
    ids never hold, is written element by element."""
    written = orjson.dumps(ids).decode()
    if dialect == "sqlite":
        return written
    if "\\" not in written:
        return f"{{{written[1:-1]}}}"
    return "{" + ",".join(_array_element(value) for value in ids) + "}"


def _array_element(value: int | str) -> str:
    if isinstance(value, int):
        return str(value)
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def document_conditions(
    session: Session,
    filters: ServiceFilters,
    *,
    rows_chosen_elsewhere: bool = False,
    issue_open_at: int | None = None,
) -> list[ColumnElement[bool]]:
    """Every filter except open_now, on the search document's copies (one row per service).

    The filters' values are parameters (filter_values), so a query built for one set of
    filters runs for any other of the same filter_shape with their values.
    `rows_chosen_elsewhere`: another condition of the query picks the rows (a list of ids),
    so the issue filter reads the row's own copy (see issue_copy_clause). `issue_open_at`
    (PostgreSQL, with open-now): the minute of the week; the issue filter then also leaves
    out what issue_open_now rules out (the query must still check open-now itself).
    """
    values = filter_values(filters)

    def value(name: str) -> Any:
        return bindparam(name, values[name])

    d = SearchDocument
    conditions: list[ColumnElement[bool]] = [d.active]
    if not filters.include_demo:
        conditions.append(d.demo.is_(False))
    if filters.issue and rows_chosen_elsewhere:
        conditions.append(issue_copy_clause(session, [filters.issue]))
    elif filters.issue:
        in_nation = SearchIssue.nations.like(value("filter_nation")) if filters.nation else None
        open_now = issue_open_now(issue_open_at) if issue_open_at is not None else None
        issue = SearchIssue.issue_code == value("filter_issue")
        conditions.append(_with_issue(issue, in_nation, open_now))
    if filters.kind:
        conditions.append(d.kind == value("filter_kind"))
    if filters.channel:
        conditions.append(d.channel_types.like(value("filter_channel")))  # published ones only
    if filters.nation:
        conditions.append(d.nations.like(value("filter_nation")))
    if filters.age is not None:
        conditions.append(or_(d.min_age.is_(None), d.min_age <= value("filter_age")))
        conditions.append(or_(d.max_age.is_(None), d.max_age >= value("filter_age")))
    if filters.free is not None:
        conditions.append(d.cost == "free" if filters.free else d.cost.in_(("low", "paid")))
    if filters.self_referral is not None:
        conditions.append(d.self_referral.is_(filters.self_referral))
    if filters.language:
        conditions.append(d.languages.like(value("filter_language")))
    if filters.without_phone:
        conditions.append(or_(*(contains(d.channel_types, kind) for kind in NOT_BY_PHONE)))
    return conditions


def filter_values(filters: ServiceFilters) -> dict[str, Any]:
    """The values of document_conditions' parameters for these filters."""
    patterns = {"nation": filters.nation, "channel": filters.channel, "language": filters.language}
    values: dict[str, Any] = {
        f"filter_{name}": padded(code) for name, code in patterns.items() if code
    }
    if filters.issue:
        values["filter_issue"] = filters.issue
    if filters.kind:
        values["filter_kind"] = filters.kind
    if filters.age is not None:
        values["filter_age"] = filters.age
    return values


def filter_shape(filters: ServiceFilters) -> tuple[Any, ...]:
    """What document_conditions' SQL depends on besides filter_values: which filters are set,
    and the yes/no ones' values (open_now is not among them)."""
    return (
        tuple(sorted(filter_values(filters))),
        filters.free,
        filters.self_referral,
        filters.include_demo,
        filters.without_phone,
    )


def filtered_statement(session: Session, filters: ServiceFilters) -> Select[tuple[Service]]:
    """Build the SQL for every filter except open_now, which needs the hours rules."""
    return (
        select(Service)
        .join(SearchDocument, SearchDocument.service_id == Service.id)
        .where(*document_conditions(session, filters))
        .order_by(Service.name, Service.id)
    )


@dataclass(frozen=True)
class OpenNowSql:
    """Open-now as SQL: `is_open` from the weekly intervals (on SQLite through `interval`,
    outer-joined on `on`: a service's intervals never overlap, so at most one row joins; on
    PostgreSQL from the document's own open_week), and `needs_exact` for the rows whose
    bank-holiday closing or validity dates the intervals cannot answer."""

    interval: Any
    on: ColumnElement[bool] | None
    is_open: ColumnElement[bool]
    needs_exact: ColumnElement[bool]

    def joined(self, statement: Select[Any]) -> Select[Any]:
        """The statement (over SearchDocument) with the open interval, if any, joined."""
        if self.interval is None or self.on is None:
            return statement
        return statement.outerjoin(self.interval, self.on)


def open_now_sql(at: datetime, dialect: str) -> OpenNowSql:
    """The SQL for open-now at one instant (the query must join SearchDocument)."""
    return _open_now_sql(*open_now_key(at), postgres=dialect == "postgresql")


def open_now_key(at: datetime) -> tuple[int, bool]:
    """What open_now_sql depends on: the minute of the week, and whether it is near a bank
    holiday anywhere."""
    day = to_london(at).date()
    # A span started yesterday may still be running: yesterday's holiday matters too.
    holiday = any(is_bank_holiday(d, n) for d in (day, day - timedelta(days=1)) for n in NATIONS)
    return week_minute(at), holiday


@lru_cache(maxsize=256)
def _open_now_sql(minute: int, holiday: bool, *, postgres: bool) -> OpenNowSql:
    """Built once per minute of the week: building the expressions took half a millisecond
    of every search."""
    needs_exact = or_(
        SearchDocument.has_validity_dates,
        and_(SearchDocument.closes_on_bank_holidays, holiday),
    )
    if postgres:
        is_open = open_in_week(SearchDocument.open_week, minute)
        return OpenNowSql(interval=None, on=None, is_open=is_open, needs_exact=needs_exact)
    interval = aliased(OpeningInterval, name="open_interval")
    return OpenNowSql(
        interval=interval,
        on=and_(
            interval.service_id == SearchDocument.service_id,
            interval.start_minute <= minute,
            interval.end_minute > minute,
        ),
        is_open=interval.service_id.is_not(None),
        needs_exact=needs_exact,
    )


def filter_services(
    session: Session, filters: ServiceFilters, page: int, per_page: int
) -> tuple[list[Service], int]:
    """Return one page of matching services and the total number that match."""
    statement = filtered_statement(session, filters)
    offset = (page - 1) * per_page
    if filters.open_now is None:
        total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
        rows = session.scalars(with_details(statement).limit(per_page).offset(offset)).all()
        return list(rows), total
    # Decide open-now on light rows in SQL (exact rules only where intervals cannot answer),
    # then load just the page in full.
    sql = open_now_sql(filters.at, session.get_bind().dialect.name)
    light = session.execute(
        sql.joined(
            statement.with_only_columns(
                Service.id,
                (sql.is_open & SearchDocument.hours_known).label("is_open"),
                sql.needs_exact.label("needs_exact"),
            )
        )
    ).all()
    exact_ids = [row.id for row in light if row.needs_exact]
    exact = (
        {
            service.id: _is_open(service, filters)
            for service in session.scalars(
                with_details(select(Service).where(Service.id.in_(exact_ids)))
            )
        }
        if exact_ids
        else {}
    )
    matching = [row.id for row in light if exact.get(row.id, bool(row.is_open)) is filters.open_now]
    chosen = matching[offset : offset + per_page]
    loaded = {
        s.id: s
        for s in session.scalars(with_details(select(Service).where(Service.id.in_(chosen))))
    }
    return [loaded[service_id] for service_id in chosen], len(matching)


def _is_open(service: Service, filters: ServiceFilters) -> bool:
    status = service_status(service, filters.at, filters.nation)
    # Unknown hours never count as open: "open now" must be a promise we can keep.
    return status is not None and status.open_now


def issue_exists(session: Session, code: str) -> bool:
    """Whether a taxonomy term with this code exists: the vocabulary's issue terms answer
    most asks without a query (a term is not deleted while in use: services link to it);
    a term newer than the vocabulary is found in the taxonomy."""
    if code in load_vocabulary(session).issue_names:
        return True
    return session.scalar(select(TaxonomyTerm.id).where(TaxonomyTerm.code == code)) is not None


def find_service(session: Session, service_id: str) -> Service | None:
    """Return one service (by id or slug) with everything a response shows, or None."""
    statement = with_details(
        select(Service).where(or_(Service.id == service_id, Service.slug == service_id))
    )
    return session.scalars(statement).first()
