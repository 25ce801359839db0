import csv
import hashlib

import pandas as pd
import pytest

from arabtexts.corpus import ARTICLE_IDS, UnknownArticleError, get_article, load_corpus
from conftest import ROOT, SEEDS


def _sums(path):
    out = {}
    for line in path.read_text().splitlines():
        digest, name = line.split(maxsplit=1)
        out[name.lstrip("*")] = digest
    return out


def test_raw_files_match_checksum_file():
    sums = _sums(ROOT / "data" / "SHA256SUMS")
    assert len(sums) == 5
    for name, digest in sums.items():
        data = (ROOT / "data" / "raw" / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest, name


def test_raw_files_are_the_seeds_byte_for_byte():
    if not (SEEDS / "SHA256SUMS").exists():
        pytest.skip("../shared/seeds is not beside this checkout")
    seed_sums = _sums(SEEDS / "SHA256SUMS")
    ours = _sums(ROOT / "data" / "SHA256SUMS")
    with open(ROOT / "data" / "articles.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            assert ours[row["file"]] == seed_sums[row["original_file"]], row["id"]
            assert (ROOT / "data/raw" / row["file"]).read_bytes() == (SEEDS / row["original_file"]).read_bytes()


def test_load_corpus_is_a_dataframe_in_course_order():
    df = load_corpus()
    assert isinstance(df, pd.DataFrame)
    assert list(df["id"]) == list(ARTICLE_IDS) == ["001", "003", "000", "004", "002"]
    assert {"title_ar", "title_en", "author_ar", "published", "genre", "original_file", "text"} <= set(df.columns)
    # published is as precise as the text allows
    assert dict(zip(df["id"], df["published"])) == {
        "001": "2020-08", "003": "2021-07-30", "000": "2021-12", "004": "2024-01", "002": "2025"}
    # the 2021-12 review has lost every digit; the paper keeps them
    text = dict(zip(df["id"], df["text"]))
    assert not any(ch.isdigit() for ch in text["000"])
    assert "2,500" in text["002"]


def test_catalogue_facts_are_in_the_texts():
    # authors and the dated line of 003 are printed in the raw text
    assert "كتبه فراس إلياس" in get_article("001").text
    assert "كتبه طه العاني" in get_article("004").text
    assert "م.د. نور سبع خميس علي" in get_article("002").text
    assert "30 يوليو، 2021" in get_article("003").text
    assert "نون بوست" in get_article("004").text


def test_get_article_accepts_id_forms():
    a = get_article("003")
    assert a.id == "003" and a.meta["original_file"] == "003_312e9afe5603bd01.txt"
    assert get_article(3).id == "003"
    assert get_article("003_312e9afe5603bd01.txt").id == "003"
    assert get_article("2021-07-30_strategic-dialogue-round4").id == "003"


def test_unknown_id_lists_valid_ids():
    with pytest.raises(UnknownArticleError) as e:
        get_article("999")
    msg = str(e.value)
    for i in ARTICLE_IDS:
        assert i in msg
    assert "999" in msg
