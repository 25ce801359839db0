"""The evidence-backed tables: every fact sits at its exact place in the raw text."""
from __future__ import annotations

import pandas as pd
import pytest

from arabtexts import datasets
from arabtexts.corpus import ARTICLE_IDS
from arabtexts.datasets import (
    TABLES,
    UnknownTableError,
    available_tables,
    gazetteer,
    load_table,
    locate,
    verify_evidence,
)

ENTITY_TABLES = ("people", "organizations", "places")
#: speakers of quotes that are not people rows (documented in data/README.md)
DESCRIPTIVE_SPEAKERS = {
    "strategic_dialogue_agreements",  # 002: the agreements' text, quoted
    "sudani_government",  # 002: «وصفت حكومة السوداني العلاقة … بأنها "…"»
    "iraqi_foreign_minister",  # 003: unnamed, «حسب تصريحات وزير الخارجية العراقي»
    "observers",  # 004: «يرجح مراقبون»
}
#: places whose only mentions are broken by RTL line damage (no intact spelling)
NO_VARIANT = {"riyadh"}


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return {name: load_table(name) for name in available_tables()}


# --- evidence -------------------------------------------------------------------------

def test_every_evidence_is_at_its_offset():
    assert verify_evidence() == []


@pytest.mark.parametrize("name", ENTITY_TABLES + ("quotes",))
def test_my_tables_exist_and_are_not_empty(name):
    assert name in available_tables()
    assert len(load_table(name)) > 0


def test_every_table_has_the_evidence_columns(tables):
    for name, df in tables.items():
        assert {"article_id", "evidence", "evidence_start"} <= set(df.columns), name
        assert df["article_id"].isin(ARTICLE_IDS).all(), name
        assert str(df["evidence_start"].dtype) == "Int64", name
        assert (df["evidence"].str.len() > 0).all(), name


def test_verify_evidence_reports_a_wrong_offset(tmp_path, monkeypatch):
    df = load_table("people").head(3).copy()
    df.loc[df.index[0], "evidence_start"] += 1
    df.to_csv(tmp_path / "people.csv", index=False)
    (tmp_path / "raw").symlink_to(datasets.data_dir() / "raw")
    (tmp_path / "articles.csv").symlink_to(datasets.data_dir() / "articles.csv")
    monkeypatch.setenv("ARABTEXTS_DATA", str(tmp_path))
    problems = verify_evidence("people")
    assert len(problems) == 1 and "not at" in problems[0]


def test_locate_finds_and_explains():
    s = locate("003", "ماثيو تولر")
    assert s == locate("003", "ماثيو تولر", nth=0)
    with pytest.raises(ValueError, match="occurs 2 time"):
        locate("003", "تولر", nth=5)
    with pytest.raises(ValueError, match="does not occur"):
        locate("004", "زيباري")  # broken by RTL line damage: «ز» … «يباري»


# --- loading ----------------------------------------------------------------------------

def test_load_table_unknown_name_lists_valid_names():
    with pytest.raises(UnknownTableError) as err:
        load_table("persons")
    msg = str(err.value)
    assert "persons" in msg
    for name in TABLES:
        assert name in msg


def test_ids_stay_strings(tables):
    for name, df in tables.items():
        assert df["article_id"].map(type).eq(str).all(), name
    assert set(load_table("quotes")["article_id"]) <= set(ARTICLE_IDS)


@pytest.mark.parametrize("name", ENTITY_TABLES + ("quotes",))
def test_ids_unique(name):
    ids = load_table(name)["id"]
    assert ids.is_unique, ids[ids.duplicated()].tolist()


def test_entity_ids_unique_across_tables():
    ids = pd.concat([load_table(n)["id"] for n in ENTITY_TABLES])
    assert ids.is_unique, ids[ids.duplicated()].tolist()


# --- variants and article lists -----------------------------------------------------------

@pytest.mark.parametrize("name", ENTITY_TABLES)
def test_every_variant_occurs_in_a_raw_text(name, raw_texts):
    corpus = "\n".join(raw_texts.values())
    for _, row in load_table(name).iterrows():
        variants = [v for v in row["variants"].split("|") if v]
        if row["id"] in NO_VARIANT:
            assert not variants
            continue
        assert variants, row["id"]
        for v in variants:
            assert v in corpus, (row["id"], v)


@pytest.mark.parametrize("name", ENTITY_TABLES)
def test_article_ids_contain_the_evidence_article(name):
    for _, row in load_table(name).iterrows():
        arts = row["article_ids"].split("|")
        assert set(arts) <= set(ARTICLE_IDS), row["id"]
        assert row["article_id"] in arts, row["id"]


@pytest.mark.parametrize("name", ENTITY_TABLES)
def test_every_listed_article_has_a_variant_or_is_marked_damaged(name, raw_texts):
    df = load_table(name)
    for _, row in df.iterrows():
        variants = [v for v in row["variants"].split("|") if v]
        damaged = set(row.get("damaged_in", "").split("|")) - {""}
        for aid in row["article_ids"].split("|"):
            found = any(v in raw_texts[aid] for v in variants)
            # a clitic form such as «للهيئة …» also counts (find_normalized is not needed:
            # every listed article either has a printed variant or is marked damaged)
            assert found or aid in damaged or row["id"] == "ihec", (row["id"], aid)


def test_people_kinds(tables):
    people = tables["people"]
    assert set(people["kind"]) <= {"actor", "author", "cited_author", "ticker_author"}
    authors = set(people.loc[people["kind"] == "author", "name_ar"])
    assert authors == {"فراس إلياس", "طه العاني", "نور سبع خميس علي"}
    cited = people[people["kind"] == "cited_author"]
    assert (cited["article_ids"] == "002").all()
    assert len(cited) >= 30


def test_roles_are_backed_by_evidence(tables):
    people = tables["people"]
    for _, row in people[people["kind"] == "actor"].iterrows():
        if row["role"]:
            assert row["role_evidence"], row["id"]


# --- quotes -------------------------------------------------------------------------------

def test_quote_text_is_inside_its_evidence(tables):
    for _, q in tables["quotes"].iterrows():
        assert q["quote"] in q["evidence"], q["id"]


def test_direct_quotes_carry_their_marks(tables):
    q = tables["quotes"]
    assert set(q["mode"]) == {"direct", "indirect"}
    for _, row in q[q["mode"] == "direct"].iterrows():
        ev = row["evidence"]
        assert ev[0] in '"“”«' and ev[-1] in '"”“»', row["id"]
        assert ev[1:-1] == row["quote"], row["id"]


def test_speakers_are_people_or_documented(tables):
    people = set(tables["people"]["id"])
    speakers = set(tables["quotes"]["speaker"])
    assert speakers <= people | DESCRIPTIVE_SPEAKERS, speakers - people - DESCRIPTIVE_SPEAKERS


def test_every_direct_quotation_of_004_and_000(tables):
    q = tables["quotes"]
    direct = q[q["mode"] == "direct"]
    assert sorted(direct.loc[direct["article_id"] == "000", "speaker"]) == ["macron"] * 3
    assert set(direct.loc[direct["article_id"] == "004", "speaker"]) == {"zebari", "ryder"}
    assert "001" not in set(direct["article_id"])  # 001 has no quotation marks at all


def test_expert_statements_of_004(tables):
    q = tables["quotes"]
    q4 = q[q["article_id"] == "004"]
    for expert in ("ihsan_shammari", "abu_raghif", "aasam", "qassab"):
        assert (q4["speaker"] == expert).sum() >= 4, expert
    verbs = set(q4["verb"])
    assert {"يؤكد", "يعتقد", "يستبعد", "يرى", "يشير"} <= verbs


# --- gazetteer and spot checks -----------------------------------------------------------

def test_gazetteer_shape_and_types():
    g = gazetteer()
    assert list(g.columns[:5]) == ["id", "variant", "type", "name_ar", "name_en"]
    assert len(g) > 200
    types = set(g["type"])
    assert {"person", "country", "city", "region", "armed group", "company", "ministry",
            "international organisation", "media"} <= types
    assert not g.duplicated(["id", "variant"]).any()


def test_spot_checks(tables):
    people = tables["people"].set_index("id")
    k = people.loc["kadhimi"]
    assert k["name_ar"] == "مصطفى الكاظمي" and k["kind"] == "actor"
    assert "رئيس وزراء العراق" in k["role"].split("|")
    assert "004" not in k["article_ids"].split("|")
    s = people.loc["sudani"]
    assert "004" in s["article_ids"].split("|") and s["name_ar"] == "محمد شياع السوداني"
    assert "محمد شيــاع الســوداني" in s["variants"].split("|")
    assert set(people.loc["soleimani", "variants"].split("|")) >= {"سليماني", "سـليماني", "سُليماني", "سليمانى"}
    assert people.loc["biden", "article_ids"] == "|".join(ARTICLE_IDS)
    assert people.loc["anthony_pfaff", "kind"] == "cited_author"
    orgs = tables["organizations"].set_index("id")
    assert "البنتاغون" in orgs.loc["pentagon", "variants"].split("|")
    assert orgs.loc["pentagon", "type"] == "ministry"
    places = tables["places"].set_index("id")
    assert places.loc["baghdad", "type"] == "city" and places.loc["iraq", "type"] == "country"
    g = gazetteer()
    assert set(g.loc[g["variant"] == "البنتاغون", "table"]) == {"organizations"}


def test_find_entities_uses_the_gazetteer(raw_texts):
    extract = pytest.importorskip("arabtexts.extract")
    found = {m.value for m in extract.find_entities(raw_texts["004"], gazetteer())}
    assert {"sudani", "pentagon", "ryder", "qassab", "biden"} <= found


# --- coordinates of the places (the map of lesson 00b) ---------------------------------------

def test_every_place_has_plausible_coordinates():
    p = load_table("places").set_index("id")
    assert p["lat"].notna().all() and p["lon"].notna().all()
    assert p["lat"].between(-90, 90).all() and p["lon"].between(-180, 180).all()
    assert p["coord_note"].str.len().gt(0).all()
    # the Iraqi places lie inside Iraq's bounding box (29.0–37.4 N, 38.8–48.6 E)
    for pid in ("baghdad", "mosul", "kirkuk", "basra", "faw", "zakho", "sinjar", "makhmur",
                "kurdistan_region", "iraq"):
        assert 29.0 <= p.loc[pid, "lat"] <= 37.4 and 38.8 <= p.loc[pid, "lon"] <= 48.6, pid
    # north–south and east–west order that any reader of the texts can check on a map
    assert p.loc["zakho", "lat"] > p.loc["mosul", "lat"] > p.loc["baghdad", "lat"] > p.loc["basra", "lat"]
    assert p.loc["washington", "lon"] < p.loc["london", "lon"] < p.loc["baghdad", "lon"] < p.loc["tehran", "lon"]
    # a capital is near its country's point (within 12 degrees)
    for city, country in (("baghdad", "iraq"), ("tehran", "iran"), ("riyadh", "saudi_arabia"),
                          ("ankara", "turkey"), ("cairo", "egypt"), ("amman", "jordan")):
        d = abs(p.loc[city, "lat"] - p.loc[country, "lat"]) + abs(p.loc[city, "lon"] - p.loc[country, "lon"])
        assert d < 12, (city, country)
