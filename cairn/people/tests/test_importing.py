"""CSV import: the bad-file corpus (each gives its error and changes nothing), skipping bad rows,
re-imports, encodings, the bulk path's rows against upsert_person's, and the command line."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command

from cairn.coalitions.models import Coalition, Membership
from cairn.people import importing, services
from cairn.people.importing import ImportError_
from cairn.people.models import (
    Activity,
    EmailAddress,
    ErasureRecord,
    ImportJob,
    ListItem,
    NameReview,
    PeopleList,
    Person,
    PhoneNumber,
    PostalAddress,
    SharingConsent,
    SubscriptionChange,
    Tag,
    Tagging,
)

PEOPLE_TABLES: list[Any] = [
    Person,
    EmailAddress,
    SubscriptionChange,
    PhoneNumber,
    PostalAddress,
    Tag,
    Tagging,
    PeopleList,
    ListItem,
    SharingConsent,
    Activity,
    ErasureRecord,
]

HEADER = "Email Address,First Name,Last Name,Phone,City,State,Zip,Country,Tags\n"


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in PEOPLE_TABLES}


def upload(
    coalition: Coalition,
    data: bytes,
    *,
    encoding: str = "",
    source: Membership | None = None,
    filename: str = "people.csv",
) -> ImportJob:
    return importing.create_import_job(
        coalition=coalition,
        upload=ContentFile(data),
        filename=filename,
        created_by=None,
        source_membership=source,
        encoding=encoding,
    )


def run(
    coalition: Coalition,
    data: bytes,
    *,
    encoding: str = "",
    source: Membership | None = None,
    mapping: dict[str, str] | None = None,
) -> ImportJob:
    job = upload(coalition, data, encoding=encoding, source=source)
    importing.set_mapping(job=job, mapping=mapping if mapping is not None else job.mapping)
    return importing.start_import(job=job, inline=True)


def csv_bytes(*rows: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return (header + "".join(f"{row}\n" for row in rows)).encode(encoding)


GOOD = "ana@example.org,Ana,Silva,+1 555 010 2030,Springfield,IL,62701,us,volunteer;donor"


# --- the corpus: each bad file names its line and column, and the database is unchanged --------


@pytest.mark.parametrize(
    ("rows", "line", "column", "reason"),
    [
        pytest.param(
            [GOOD, ",Bo,Nobody,,,,,,"],
            3,
            "Email Address / Phone",
            "an email address or a phone is required",
            id="missing-email-and-phone",
        ),
        pytest.param(
            [GOOD, "not-an-email,Bo,,,,,,,"],
            3,
            "Email Address",
            "'not-an-email' is not an email",
            id="invalid-email",
        ),
        pytest.param(
            [GOOD, "ANA@example.org ,Ana,Again,,,,,,"],
            3,
            "Email Address",
            "same email address as line 2",
            id="duplicate-row",
        ),
        pytest.param(
            [GOOD, "bo@example.org," + "B" * 300 + ",,,,,,,"],
            3,
            "First Name",
            "300 characters; at most 200 fit",
            id="field-over-its-length",
        ),
        pytest.param(
            [GOOD, "bo@example.org," + "x" * 1_000_000 + ",,,,,,,"],
            3,
            "",
            f"a cell is longer than {importing.CELL_LIMIT:,} characters",
            id="1MB-field",
        ),
        pytest.param(
            [GOOD, "bo@example.org,Bo,,,,,,United States,"],
            3,
            "Country",
            "'United States' is not a two-letter country code (e.g. US)",
            id="country-name",
        ),
        pytest.param(
            [GOOD, "bo@example.org,Bo,,,,,,,,extra"],
            3,
            "",
            "the row has 10 cells but the header has 9 columns (a missing quote?)",
            id="too-many-cells",
        ),
    ],
)
def test_a_file_with_a_bad_row_imports_nothing_and_names_line_and_column(
    coalition, rows, line, column, reason
):
    # given
    before = counts()
    # when
    job = run(coalition, csv_bytes(*rows))
    # then
    assert job.status == ImportJob.Status.NEEDS_REVIEW
    assert job.errors == [{"line": line, "column": column, "reason": reason}]
    assert job.error_count == 1
    assert counts() == before
    assert job.file  # kept for "skip bad rows and import the rest"


def test_a_header_of_one_column_is_counted_in_the_singular(coalition):
    # given a file of one column whose second row has two cells
    data = csv_bytes("ana@example.org", "bo@example.org,extra", header="Email Address\n")
    # when it is imported
    job = run(coalition, data)
    # then the error counts the header's one column in the singular
    assert job.errors == [
        {
            "line": 3,
            "column": "",
            "reason": "the row has 2 cells but the header has 1 column (a missing quote?)",
        }
    ]


def test_a_wrongly_declared_encoding_is_reported_per_line(coalition):
    # given a Windows-1252 file declared as UTF-8
    data = csv_bytes(
        "jose@example.org,José,,,,,,,", "ana@example.org,Ana,,,,,,,", encoding="cp1252"
    )
    before = counts()
    # when
    job = run(coalition, data, encoding="utf-8")
    # then line 2 is reported, the rest is fine, and nothing was written
    assert job.status == ImportJob.Status.NEEDS_REVIEW
    assert job.errors == [
        {
            "line": 2,
            "column": "",
            "reason": "byte 0xE9 is not valid UTF-8: declare the file's encoding "
            "(Windows-1252 or Latin-1?)",
        }
    ]
    assert counts() == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(b"", "The file is empty.", id="empty"),
        pytest.param(HEADER.encode(), "The file has a header (line 1) but no rows.", id="header"),
        pytest.param(b"\n\n", "The file is empty.", id="blank-lines"),
        pytest.param(
            "\ufeffemail\nana@example.org\n".encode("utf-16"),
            "This file is UTF-16 (Excel's “Unicode text”): save it as “CSV UTF-8”.",
            id="utf-16",
        ),
    ],
)
def test_an_unusable_file_is_refused_at_upload(coalition, data, message):
    before = counts()
    with pytest.raises(ImportError_, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        upload(coalition, data)
    assert counts() == before
    assert not ImportJob.objects.exists()


def test_a_file_without_an_email_or_phone_column_cannot_be_mapped(coalition):
    # given a file whose columns hold names and cities only
    job = upload(coalition, b"Name,City\nAna,Springfield\n")
    before = counts()
    # when / then
    with pytest.raises(ImportError_, match="Missing required column: map a column to email"):
        importing.set_mapping(job=job, mapping=job.mapping)
    assert counts() == before
    job.refresh_from_db()
    assert job.status == ImportJob.Status.UPLOADED


def test_two_columns_cannot_feed_one_field(coalition):
    job = upload(coalition, b"email,mail\na@example.org,b@example.org\n")
    with pytest.raises(ImportError_, match="both mapped to email"):
        importing.set_mapping(job=job, mapping={"email": "email", "mail": "email"})


def test_errors_are_stored_up_to_the_cap_and_counted_beyond(coalition, monkeypatch):
    monkeypatch.setattr(ImportJob, "MAX_STORED_ERRORS", 3)
    rows = [f"bad{i},Name,,,,,,," for i in range(5)]
    job = run(coalition, csv_bytes(GOOD, *rows))
    assert job.error_count == 5
    assert [e["line"] for e in job.errors] == [3, 4, 5]


# --- skipping bad rows, re-importing -----------------------------------------------------------


def test_skipping_bad_rows_imports_exactly_the_good_ones(coalition):
    # given a file with two good rows, an invalid email and a duplicate of the first row
    data = csv_bytes(
        GOOD,
        "nope,Bad,,,,,,,",
        "bo@example.org,Bo,Diaz,,,,,,",
        "a.n.a@EXAMPLE.org,Ana,Twice,,,,,,",  # not gmail: dots count, so this is someone else
        "ana@example.org,Ana,Dup,,,,,,",
    )
    job = run(coalition, data)
    assert job.status == ImportJob.Status.NEEDS_REVIEW
    assert [(e["line"], e["reason"]) for e in job.errors] == [
        (3, "'nope' is not an email"),
        (6, "same email address as line 2"),
    ]
    # when the user chooses to skip them
    job = importing.start_import(job=job, skip_bad_rows=True, inline=True)
    # then the three good rows are in, the first occurrence of the duplicate wins
    assert job.status == ImportJob.Status.DONE
    assert (job.rows_created, job.rows_updated, job.rows_skipped) == (3, 0, 2)
    assert sorted(EmailAddress.objects.values_list("canonical", flat=True)) == [
        "a.n.a@example.org",
        "ana@example.org",
        "bo@example.org",
    ]
    ana = EmailAddress.objects.get(canonical="ana@example.org").person
    assert (ana.given_name, ana.family_name) == ("Ana", "Silva")
    assert not job.file


def test_reimporting_the_same_file_creates_nobody_new(coalition):
    # given a first import
    data = csv_bytes(GOOD, "bo@example.org,Bo,Diaz,,Shelbyville,IL,62565,US,volunteer")
    first = run(coalition, data)
    assert (first.status, first.rows_created) == (ImportJob.Status.DONE, 2)
    before = counts()
    # when the same file is imported again
    again = run(coalition, data)
    # then everyone is matched; no row of any table is added
    assert (again.status, again.rows_created, again.rows_updated) == (ImportJob.Status.DONE, 0, 2)
    assert counts() == before


def test_a_row_without_email_is_matched_by_phone_and_merged(coalition):
    # given someone known by phone only
    known = services.upsert_person(
        coalition=coalition,
        data=services.PersonData(phones=[services.PhoneInput(number="+1 (555) 010-2030")]),
    ).person
    # when a file brings their number (written otherwise), name and tags, without an email
    job = run(coalition, csv_bytes(",Ana,Silva,+1-555-010-2030,Springfield,IL,62701,us,volunteer"))
    # then they gain them; nobody new
    assert (job.status, job.rows_created, job.rows_updated) == (ImportJob.Status.DONE, 0, 1)
    known.refresh_from_db()
    assert (known.given_name, known.family_name) == ("Ana", "Silva")
    assert Person.objects.count() == 1
    assert set(known.taggings.values_list("tag__name", flat=True)) == {"volunteer"}


def test_a_row_with_an_email_is_matched_by_email_only(coalition):
    # given someone known by phone only
    known = services.upsert_person(
        coalition=coalition,
        data=services.PersonData(phones=[services.PhoneInput(number="+1 (555) 010-2030")]),
    ).person
    # when a file brings an email and the same phone
    job = run(coalition, csv_bytes(GOOD))
    # then the row is a new person (a shared phone is no identity), and the known one is untouched
    assert (job.rows_created, job.rows_updated) == (1, 0)
    known.refresh_from_db()
    assert (known.given_name, list(known.emails.all())) == ("", [])
    assert Person.objects.count() == 2
    assert PhoneNumber.objects.filter(number="+15550102030").count() == 2


def test_the_bulk_path_writes_the_rows_upsert_person_writes(coalition, membership_factory):
    # given the same person, once through upsert_person (in another coalition) and once imported
    other = Coalition.objects.create(
        name="Other",
        slug="other",
        mission="m",
        horizon_title="h",
        horizon_start=coalition.horizon_start,
        horizon_end=coalition.horizon_end,
    )
    source = membership_factory(coalition)
    other_source = membership_factory(other)
    for tag in ("volunteer", "donor"):
        services.create_tag(coalition=other, name=tag)
    reference = services.upsert_person(
        coalition=other,
        data=importing.RowData(
            line=2,
            email="ana@example.org",
            canonical="ana@example.org",
            phone="+15550102030",
            given_name="Ana",
            family_name="Silva",
            locality="Springfield",
            region="IL",
            postal_code="62701",
            country="US",
            custom={"shirt": "M"},
        ).person_data(),
        source_membership=other_source,
        source_action=importing.SOURCE_ACTION,
        subscription_source="import of people.csv",
        add_tags=["volunteer", "donor"],
    ).person
    # when
    job = run(
        coalition,
        csv_bytes(GOOD + ",M", header=HEADER.rstrip("\n") + ",Shirt\n"),
        source=source,
        mapping={
            **importing.suggest_mapping([*HEADER.strip().split(","), "Shirt"]),
            "Shirt": "custom:shirt",
        },
    )
    # then the imported rows equal the reference rows, field by field
    assert job.status == ImportJob.Status.DONE
    person = Person.objects.for_coalition(coalition).get()

    def shape(p: Person) -> dict[str, Any]:
        email = p.emails.get()
        return {
            "person": (p.given_name, p.family_name, p.languages, p.custom_fields, p.source_action),
            "created_is_modified": p.created_at == p.modified_at,
            "email": (email.address, email.canonical, email.primary, email.status),
            "history": list(email.history.values_list("from_status", "to_status", "source")),
            "phones": list(p.phones.values_list("number", "primary", "number_type")),
            "addresses": list(
                p.addresses.values_list(
                    "address_lines", "locality", "region", "postal_code", "country", "primary"
                )
            ),
            "sharing": list(p.sharing.values_list("membership__organization__name", "source")),
            "tags": sorted(p.taggings.values_list("tag__name", flat=True)),
        }

    expected, got = shape(reference), shape(person)
    # both write a new person's dates from one timestamp, tags included
    assert expected.pop("created_is_modified") is True
    assert got.pop("created_is_modified") is True
    expected["sharing"] = [(source.organization.name, "brought in")]
    assert got == expected
    assert person.source_membership == source


def test_rows_written_later_through_the_orm_get_fresh_ids(coalition):
    run(coalition, csv_bytes(GOOD))
    later = services.upsert_person(
        coalition=coalition,
        data=services.PersonData(emails=[services.EmailInput(address="late@example.org")]),
    )
    assert later.created
    assert Person.objects.count() == 2


# --- encodings, mapping, preview -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "codec", "detected"),
    [
        pytest.param("Zoë Ørsted", "latin-1", "windows-1252", id="latin-1-reads-as-cp1252"),
        pytest.param("Zoë “Ørsted” €", "cp1252", "windows-1252", id="windows-1252"),
        pytest.param("Zoë Ørsted", "utf-8-sig", "utf-8", id="utf-8-with-bom"),
        pytest.param("Zoë Ørsted", "utf-8", "utf-8", id="utf-8"),
    ],
)
def test_encodings_are_detected(coalition, text, codec, detected):
    # when
    job = run(
        coalition,
        f"email,name\nzoe@example.org,{text}\n".encode(codec),
        mapping={"email": "email", "name": "given_name"},
    )
    # then
    assert job.encoding == detected
    assert job.header == ["email", "name"]
    assert Person.objects.get().given_name == text


def test_a_file_with_bytes_undefined_in_windows_1252_is_latin_1(coalition):
    job = upload(coalition, b"email,name\nzoe@example.org,Zo\x90\xeb\n")
    assert job.encoding == "iso-8859-1"


def test_a_declared_encoding_wins(coalition):
    job = upload(coalition, "email\nzoé@example.org\n".encode("cp1252"), encoding="iso-8859-1")
    assert (job.encoding, job.encoding_declared) == ("iso-8859-1", True)


def test_semicolon_files_and_header_aliases_are_understood(coalition):
    job = upload(
        coalition, b"E-mail;Given_Name;Surname;Postal Code;Mobile;Notes\na@b.org;A;B;1;2\n"
    )
    assert job.delimiter == ";"
    assert job.mapping == {
        "E-mail": "email",
        "Given_Name": "given_name",
        "Surname": "family_name",
        "Postal Code": "postal_code",
        "Mobile": "phone",
        "Notes": "",
    }


def test_preview_shows_the_first_rows_through_the_mapping_with_their_errors(coalition):
    job = upload(coalition, csv_bytes(GOOD, "nope,Bad,,,,,,,"))
    result = importing.preview(job, {"Email Address": "email", "First Name": "given_name"})
    assert result.columns == [("Email Address", "email"), ("First Name", "given_name")]
    assert [(r.line, r.values, [e.reason for e in r.errors]) for r in result.rows] == [
        (2, ["ana@example.org", "Ana"], []),
        (3, ["nope", "Bad"], ["'nope' is not an email"]),
    ]


def test_custom_columns_are_kept_when_chosen(coalition):
    run(
        coalition,
        b"email,Shirt size,Ignored\na@example.org,M,x\n",
        mapping={"email": "email", "Shirt size": importing.custom_field_for("Shirt size")},
    )
    assert Person.objects.get().custom_fields == {"shirt_size": "M"}


@pytest.mark.parametrize(
    "cell",
    [
        '=HYPERLINK("http://evil.example","x")',
        "'=SUM(1)",  # our own export's guard is undone first: still a formula
        "+cmd|' /C calc'!A0",
        "@SUM(A1)",
        "-2+3+cmd|' /C calc'!A0",
    ],
)
def test_formula_cells_are_errors_and_import_nothing(coalition, cell):
    before = counts()
    quoted = '"' + cell.replace('"', '""') + '"'
    job = run(coalition, f"email,first\nana@example.org,Ana\nbo@example.org,{quoted}\n".encode())
    assert job.status == ImportJob.Status.NEEDS_REVIEW
    assert job.errors == [
        {
            "line": 3,
            "column": "first",
            "reason": f"{importing._shorten(cell.removeprefix(chr(39)))!r} looks like a "
            "spreadsheet formula: remove it or skip this row",
        }
    ]
    assert counts() == before


def test_cells_that_only_start_like_formulas_are_text(coalition):
    # a phone's "+1 (555)", a hyphenated or @-handle custom value, our own guard on a phone
    data = b"email,phone,first,handle\na@example.org,'+1 (555) 010-2030,-Ana-,@ana\n"
    mapping = {"email": "email", "phone": "phone", "first": "given_name", "handle": "custom:h"}
    job = run(coalition, data, mapping=mapping)
    assert job.status == ImportJob.Status.DONE
    person = Person.objects.get()
    assert (person.given_name, person.custom_fields) == ("-Ana-", {"h": "@ana"})
    assert person.phones.get().number == "+15550102030"


def test_quoted_cells_may_span_lines_and_errors_name_the_starting_line(coalition):
    data = b'email,first\na@example.org,"Two\nlines"\nnope,x\n'
    job = run(coalition, data)
    assert job.errors == [{"line": 4, "column": "email", "reason": "'nope' is not an email"}]


# --- the job's life -------------------------------------------------------------------------------


def test_cancelling_deletes_the_file_and_imports_nothing(coalition):
    job = run(coalition, csv_bytes(GOOD, "nope,,,,,,,,"))
    name = job.file.name
    job = importing.cancel_import(job=job)
    assert job.status == ImportJob.Status.CANCELLED
    assert not job.file
    assert not ImportJob.objects.get(pk=job.pk).file
    from django.core.files.storage import default_storage

    assert name
    assert not default_storage.exists(name)
    with pytest.raises(ImportError_):
        importing.start_import(job=job, skip_bad_rows=True, inline=True)
    assert Person.objects.count() == 0


def test_a_queued_import_runs_in_the_task_on_commit(coalition, django_capture_on_commit_callbacks):
    job = upload(coalition, csv_bytes(GOOD))
    importing.set_mapping(job=job, mapping=job.mapping)
    with django_capture_on_commit_callbacks(execute=True):
        job = importing.start_import(job=job)
    job.refresh_from_db()
    assert (job.status, job.rows_created, job.percent) == (ImportJob.Status.DONE, 1, 100)


def test_a_failure_rolls_back_everything_and_deletes_the_file(coalition, monkeypatch):
    # given an import whose second batch fails
    monkeypatch.setattr(importing, "BATCH_SIZE", 2)
    calls = {"n": 0}
    original = importing._BulkWriter.write

    def flaky(self, batch):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return original(self, batch)

    monkeypatch.setattr(importing._BulkWriter, "write", flaky)
    rows = [f"p{i}@example.org,P{i},,,,,,," for i in range(5)]
    before = counts()
    # when
    with pytest.raises(RuntimeError):
        run(coalition, csv_bytes(*rows))
    # then
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    assert job.message == "The import failed and changed nothing (RuntimeError)."
    assert not job.file
    assert counts() == before


def test_progress_is_reported_while_validating_and_importing(coalition, monkeypatch):
    monkeypatch.setattr(importing, "BATCH_SIZE", 2)
    job = upload(coalition, csv_bytes(*[f"p{i}@example.org,P{i},,,,,,," for i in range(5)]))
    importing.set_mapping(job=job, mapping=job.mapping)
    seen: list[tuple[str, int, int]] = []
    importing.start_import(job=job, skip_bad_rows=False)  # queued: not run (no commit here)
    importing.run_import(
        job.pk, progress=lambda j: seen.append((j.status, j.rows_processed, j.rows_total))
    )
    assert seen == [
        ("validating", 2, 5),
        ("validating", 4, 5),
        ("validating", 5, 5),
        ("importing", 2, 5),
        ("importing", 4, 5),
        ("importing", 5, 5),
    ]


# --- the command line ---------------------------------------------------------------------------


def test_the_command_imports_a_file_and_prints_progress(coalition, tmp_path, membership_factory):
    source = membership_factory(coalition, name="Harbor Clinic")
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes(GOOD, "bo@example.org,Bo,,,,,,,"))
    out = io.StringIO()
    call_command(
        "import_people", str(path), coalition=coalition.slug, source="Harbor Clinic", stdout=out
    )
    text = out.getvalue()
    assert "Email Address → email" in text
    assert "validating: 2 of 2 rows" in text
    assert "importing: 2 of 2 rows" in text
    assert "Done: 2 created, 0 updated, 0 skipped." in text
    assert Person.objects.filter(source_membership=source).count() == 2


def test_the_command_counts_a_file_of_one_row_in_the_singular(coalition, tmp_path):
    # given a file of one row
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes(GOOD))
    out = io.StringIO()
    # when it is imported from the command line
    call_command("import_people", str(path), coalition=coalition.slug, stdout=out)
    # then the command says 'about 1 row', not '1 rows'
    assert "people.csv: utf-8, about 1 row\n" in out.getvalue()


def test_the_command_stops_on_bad_rows_unless_told_to_skip(coalition, tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes(GOOD, "nope,,,,,,,,"))
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="1 row has errors; nothing was imported"):
        call_command(
            "import_people",
            str(path),
            coalition=coalition.slug,
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert Person.objects.count() == 0
    out = io.StringIO()
    call_command(
        "import_people", str(path), coalition=coalition.slug, skip_bad_rows=True, stdout=out
    )
    assert "Done: 1 created, 0 updated, 1 skipped." in out.getvalue()
    assert Person.objects.count() == 1


# --- dedup against the people already known, the timeline --------------------------------------


def test_import_dedups_against_existing_people_by_canonical_email(coalition):
    # given a supporter known by their Gmail address
    known = services.upsert_person(
        coalition=coalition,
        data=services.PersonData(
            given_name="Ana", emails=[services.EmailInput("Ana.Silva@gmail.com")]
        ),
    ).person
    before = counts()
    # when a file brings the same mailbox spelled differently, and someone new
    job = run(
        coalition,
        csv_bytes("anasilva+news@GoogleMail.com,Ana,Silva,,,,,,", "bo@example.org,Bo,,,,,,,"),
    )
    # then the known person is updated (no second email, no second person), the other is new
    assert (job.status, job.rows_created, job.rows_updated) == (ImportJob.Status.DONE, 1, 1)
    assert Person.objects.count() == before["Person"] + 1
    known.refresh_from_db()
    assert known.family_name == "Silva"
    assert list(known.emails.values_list("address", flat=True)) == ["ana.silva@gmail.com"]


def test_a_bom_file_with_a_bad_row_names_the_column_and_imports_nothing(coalition):
    before = counts()
    job = run(coalition, csv_bytes(GOOD, "nope,Bad,,,,,,,", encoding="utf-8-sig"))
    assert (job.encoding, job.header[0]) == ("utf-8", "Email Address")
    assert job.errors == [
        {"line": 3, "column": "Email Address", "reason": "'nope' is not an email"}
    ]
    assert counts() == before


def test_new_people_get_a_timeline_line_naming_the_import(coalition):
    job = run(coalition, csv_bytes(GOOD))
    activity = Activity.objects.get()
    assert (activity.kind, activity.summary, activity.ref) == (
        "import",
        "Added by the import of people.csv",
        f"people.importjob:{job.pk}",
    )
    assert activity.person == Person.objects.get()


def test_a_file_that_changes_between_the_passes_imports_nothing(coalition, monkeypatch):
    # given a file whose rows are all good when validated
    job = upload(coalition, csv_bytes(GOOD, "bo@example.org,Bo,,,,,,,"))
    importing.set_mapping(job=job, mapping=job.mapping)
    real_validate = importing.validate

    def validate_then_tamper(job, progress=None):
        report = real_validate(job, progress)
        job.file.storage.delete(job.file.name)
        job.file.storage.save(
            job.file.name, ContentFile(csv_bytes(GOOD, "bo@example.org,B,,,,,,zz9,"))
        )
        return report

    monkeypatch.setattr(importing, "validate", validate_then_tamper)
    before = counts()
    # when the file is different at the write pass, then the import fails and writes nothing
    with pytest.raises(ImportError_, match="Line 3 changed since it was checked"):
        importing.start_import(job=job, inline=True)
    assert counts() == before
    assert ImportJob.objects.get().status == ImportJob.Status.FAILED


def test_a_reimport_skips_unchanged_people_in_bulk_and_updates_the_changed(
    coalition, django_assert_max_num_queries
):
    # given 100 people imported once
    rows = [f"p{i}@example.org,P{i},Last,,Springfield,IL,62701,US,volunteer" for i in range(100)]
    run(coalition, csv_bytes(*rows))
    stamps = dict(Person.objects.values_list("given_name", "modified_at"))
    before = counts()
    # when the same file comes back with one changed surname
    rows[7] = "p7@example.org,P7,Changed,,Springfield,IL,62701,US,volunteer"
    job = upload(coalition, csv_bytes(*rows))
    importing.set_mapping(job=job, mapping=job.mapping)
    with django_assert_max_num_queries(80):  # not ~26 per person: the unchanged cost nothing
        job = importing.start_import(job=job, inline=True)
    # then everyone matched; P7 keeps the stored surname (a match never renames anyone) and the
    # other one waits for a steward; no person changed, and no row was added anywhere else
    assert (job.rows_created, job.rows_updated) == (0, 100)
    p7 = Person.objects.get(given_name="P7")
    assert p7.family_name == "Last"
    assert list(NameReview.objects.values_list("person", "given_name", "family_name")) == [
        (p7.pk, "P7", "Changed")
    ]
    changed = {
        name
        for name, stamp in Person.objects.values_list("given_name", "modified_at")
        if stamp != stamps[name]
    }
    assert changed == set()
    assert counts() == before


def test_rows_sharing_a_phone_are_different_people_unless_one_has_no_email(coalition):
    # given a household's landline on two rows with emails, and a row with only that phone
    job = run(
        coalition,
        csv_bytes(
            "kari@example.org,Kari,Nordmann,+1 555 010 0001,,,,,",
            "ola@example.org,Ola,Nordmann,+1 555 010 0001,,,,,",
            ",Kari,Nordmann,+1 555 010 0001,,,,,",
        ),
    )
    # then the two with emails are fine; the one without would be matched by the phone
    assert job.errors == [
        {
            "line": 4,
            "column": "Phone",
            "reason": "same phone as line 2, and no email to tell them apart",
        }
    ]
