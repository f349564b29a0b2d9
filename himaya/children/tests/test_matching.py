"""Name matching for the search before create (circuit.md §4.2 step 1, data-protection.md
DP-58): spelling and script variants of one name match, different names do not."""

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from himaya.children import matching_testdata as testdata
from himaya.children.matching import (
    ChildIdentity,
    arabic_to_latin_key,
    latin_key,
    match_score,
    name_similarity,
    normalize_arabic,
    normalize_latin,
    search_keys,
)

THRESHOLD = 0.85

# --------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------

SAME_NAME = [
    ("محمد العلوي", "Mohamed El Alaoui"),
    ("Mohammed Alaoui", "Muhammad Elalaoui"),
    ("Youssef Benali", "Yousef Ben Ali"),
    ("فاطمة الزهراء", "Fatima Zahra"),
    ("Khadija Tazi", "Khadidja Tazi"),
    ("Aicha", "Aïcha"),
    ("Aicha", "عائشة"),
    ("Aïcha", "عائشة"),
    ("Ayoub", "Ayyoub"),
    ("Ayoub", "أيوب"),
    ("Ayyoub", "أيوب"),
    ("Hamza", "حمزة"),
    ("Mohamed Alaoui", "Alaoui Mohamed"),
    ("محمد العلوي", "Alaoui Mohamed"),
    ("Fatima Ezzahra Tazi", "Fatimazahra Ettazi"),
    ("Fatima-Zahra El Fassi", "فاطمة الزهراء الفاسي"),
    ("Abdelkader Benjelloun", "عبد القادر بنجلون"),
    ("Abd El Kader Benjelloun", "Abdelkader Ben Jelloun"),
    ("Abdellah Idrissi", "عبد الله الإدريسي"),
    ("Driss Cherkaoui", "إدريس الشرقاوي"),
    ("Brahim Ouazzani", "Ibrahim El Ouazzani"),
    ("Meryem Skalli", "مريم الصقلي"),
    ("Mariam Bennani", "Meriem Benani"),
    ("Zineb Alami", "Zainab El Alami"),
    ("Lahcen Ait Lhaj", "الحسن آيت الحاج"),
    ("Noureddine Fassi", "نور الدين الفاسي"),
    ("Nour-Eddine El Fassi", "Noureddine Fassi"),
    ("Mustapha Kettani", "مصطفى الكتاني"),
    ("Khaoula Mansouri", "خولة المنصوري"),
    ("Ouafae Berrada", "Wafae Berada"),
    ("Soukaina Naciri", "سكينة الناصري"),
    ("Kaoutar Ghazali", "Kawtar El Ghazzali"),
    ("Chaimae Rachidi", "شيماء الراشدي"),
    ("Ismail Doukkali", "Smail Doukali"),
    ("Said Saidi", "سعيد السعيدي"),
    ("Walid Amrani", "Oualid Lamrani"),
    ("Yassine Chraibi", "Yacine Cheraibi"),
    ("Othmane Filali", "Outhmane El Filali"),
    ("Taha Jirari", "طه الجراري"),
    ("Ilyas Moussaoui", "إلياس الموساوي"),
    ("Houda Haddad", "Hoda El Haddad"),
    ("Mohamed Amine Tazi", "محمد أمين التازي"),
    ("KHADIJA EL IDRISSI", "khadija idrissi"),
    ("Abderrahim Zemmouri", "Abdel Rahim Zemmouri"),
    ("Hicham Sebai", "Hisham Sbai"),
    ("Halimah Kabbaj", "Halima El Qabbaj"),
    ("Mostafa", "مُصْطَفَى"),
]

DIFFERENT_NAME = [
    ("Abdelkader", "Abdelkrim"),
    ("عبد القادر", "عبد الكريم"),
    ("Fatima", "Fatna"),
    ("Youssef", "Younes"),
    ("يوسف", "يونس"),
    ("Mohamed Alaoui", "Mohamed Tazi"),
    ("محمد العلوي", "محمد التازي"),
    ("Youssef Alaoui", "Younes Alaoui"),
    ("Khalid", "Khadija"),
    ("Hicham", "Hamza"),
    ("Nadia", "Nabil"),
    ("Karim Bennani", "Karima Tazi"),
    ("Fatima Zahra Alaoui", "Zineb Alaoui"),
    ("محمد العلوي", "أحمد التازي"),
    ("Abdellah Tazi", "Abdelkader Tazi"),
    ("Ilham", "Siham"),
    ("Bilal", "Jamal"),
    ("Soukaina", "Sanaa"),
    ("Aicha", "Asmaa"),
    ("Hajar", "Hanane"),
    ("Mehdi Fassi", "Houda Fassi"),
]

# Close but distinct names: below a match, above the clearly different.
NEAR_NAME = [
    ("Hassan", "Houssine"),
    ("حسن", "حسين"),
    ("Hassan", "حسين"),
    ("Karim", "Karima"),
    ("كريم", "كريمة"),
    ("Amine", "Amina"),
    ("Said", "Saad"),
    ("سعيد", "سعد"),
    ("Alami", "Alaoui"),
    ("Amina", "Aminata"),
    ("Fatima Alaoui", "Fatna Alaoui"),
    ("Ahmed Idrissi", "Mohamed Idrissi"),
    ("Mouna", "Amina"),
    ("Omar", "Amr"),
    ("Ikram", "Karim"),
]


@pytest.mark.parametrize(("a", "b"), SAME_NAME)
def test_spelling_and_script_variants_of_one_name_match(a, b):
    assert name_similarity(a, b) >= THRESHOLD


@pytest.mark.parametrize(("a", "b"), DIFFERENT_NAME)
def test_different_names_do_not_match(a, b):
    assert name_similarity(a, b) <= 0.6


@pytest.mark.parametrize(("a", "b"), NEAR_NAME)
def test_close_but_distinct_names_stay_below_a_match(a, b):
    assert name_similarity(a, b) < THRESHOLD


def test_tables_are_big_enough():
    assert len(SAME_NAME) >= 25
    assert len(DIFFERENT_NAME) >= 15


def test_a_different_family_name_sinks_a_shared_first_name():
    """Mohamed is the most common first name: sharing it is no evidence of identity."""
    assert name_similarity("Mohamed Alaoui", "Mohamed Tazi") < 0.5
    assert name_similarity("Mohamed Alaoui", "Mohamed El Alaoui") == 1.0


def test_a_missing_token_costs_but_does_not_exclude():
    partial = name_similarity("Fatima Zahra Alaoui", "Fatima Alaoui")
    assert 0.8 < partial < 1.0
    assert name_similarity("Mohamed", "Mohamed Tazi") < THRESHOLD


def test_empty_or_letterless_names_score_zero():
    assert name_similarity("", "Mohamed") == 0.0
    assert name_similarity("---", "...") == 0.0


# --------------------------------------------------------------------------------------
# Normalisation and keys
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("أَحْمَد", "احمد"),
        ("مـحـمـد", "محمد"),
        ("إسماعيل", "اسماعيل"),
        ("آمنة", "امنه"),
        ("ٱلعلوي", "علوي"),
        ("عيسى", "عيسي"),
        ("مؤمن", "مومن"),
        ("عائشة", "عايشه"),
        ("فاطمة الزهراء", "فاطمه زهراء"),
        ("عبد الله", "عبدالله"),
        ("محمد بن علي", "محمد علي"),
        ("ال علوي", "علوي"),
        ("إلياس", "الياس"),  # not an article
        ("محمد، العلوي!", "محمد علوي"),
    ],
)
def test_normalize_arabic(raw, normalized):
    assert normalize_arabic(raw) == normalized


@pytest.mark.parametrize(
    ("variants", "normalized"),
    [
        (["Aïcha", "AICHA", "Aisha"], "aisha"),
        (["Khadija", "Khadidja"], "khadija"),
        (["Ouafae", "Wafaa", "Wafae"], "wafa"),
        (["Youssef Ben Ali", "youssef ben-ali", "Yousef Ben Ali"], "yusef ali"),
        (["Mohamed El-Alaoui", "Mohammed El Alaoui"], "muhamed alawi"),
        (["Abdelkader", "Abd El Kader", "Abd-el-Kader"], "abdelkader"),
        (["Djilali", "Jilali", "Gilali"], "jilali"),
        (["Rachidy", "Rachidi"], "rashidi"),
        (["Lahçen", "Lahcen"], "lahsen"),
        (["M'hamed", "Mhammed"], "mhamed"),
    ],
)
def test_normalize_latin_unifies_transliterations(variants, normalized):
    assert {normalize_latin(v) for v in variants} == {normalized}


@pytest.mark.parametrize(
    ("names", "key"),
    [
        (["Mohamed", "Mohammed", "Muhammad", "Mhammed", "Mohamad"], "mhmd"),
        (["Youssef", "Youssouf", "Yusuf", "Yousef"], "ysf"),
        (["Khadija", "Khadidja", "Khadeeja"], "khdj"),
        (["Fatima", "Fatema", "Fatimah"], "ftm"),
        (["Hamza", "Hamzah"], "hmz"),
    ],
)
def test_latin_key_is_robust_to_vowels_and_doubling(names, key):
    assert {latin_key(n) for n in names} == {key}


def test_latin_key_keeps_different_names_apart():
    assert latin_key("Fatna") != latin_key("Fatima")
    assert latin_key("Abdelkader") != latin_key("Abdelkrim")
    assert latin_key("Youssef") != latin_key("Younes")


@pytest.mark.parametrize(
    ("arabic", "latin"),
    [
        ("محمد", "Mohamed"),
        ("يوسف", "Youssef"),
        ("خديجة", "Khadija"),
        ("فاطمة", "Fatima"),
        ("حمزة", "Hamza"),
        ("عبد القادر", "Abdelkader"),
        ("عبد الله", "Abdellah"),
        ("محمد العلوي", "Mohamed El Alaoui"),
        ("إدريس", "Driss"),
        ("طه", "Taha"),
    ],
)
def test_arabic_key_meets_latin_key(arabic, latin):
    assert arabic_to_latin_key(arabic) == latin_key(latin)


# --------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------

ARABIC_LETTERS = "ءآأؤإئابةتثجحخدذرزسشصضطظعغفقكلمنهوىيڭ"
TASHKEEL = "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0670\u0640"
KNOWN_NAMES = [f[0] for f in testdata.FIRST_NAMES] + [f[0] for f in testdata.FAMILY_NAMES]
KNOWN_NAMES += [s for f in testdata.FIRST_NAMES for s in f[1]]
KNOWN_NAMES += [s for f in testdata.FAMILY_NAMES for s in f[1]]

latin_text = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéèïçôAEKOU -'", max_size=30)
arabic_text = st.text(alphabet=ARABIC_LETTERS + " ", max_size=25)
any_name = st.one_of(
    latin_text,
    arabic_text,
    st.lists(st.sampled_from(KNOWN_NAMES), min_size=1, max_size=4).map(" ".join),
)


@settings(max_examples=300, deadline=None)
@given(latin_text)
def test_normalize_latin_is_idempotent(text):
    once = normalize_latin(text)
    assert normalize_latin(once) == once


@settings(max_examples=300, deadline=None)
@given(arabic_text)
def test_normalize_arabic_is_idempotent(text):
    once = normalize_arabic(text)
    assert normalize_arabic(once) == once


@settings(max_examples=300, deadline=None)
@given(any_name, any_name)
def test_similarity_is_symmetric_and_bounded(a, b):
    score = name_similarity(a, b)
    assert 0.0 <= score <= 1.0
    assert name_similarity(b, a) == score


@settings(max_examples=300, deadline=None)
@given(any_name)
def test_a_name_matches_itself_fully(a):
    score = name_similarity(a, a)
    assert score in (0.0, 1.0)  # 0.0 only for text without a name in it ("-", "ء")
    if latin_key(a).strip() or arabic_to_latin_key(a).strip():
        assert score == 1.0


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(KNOWN_NAMES), min_size=1, max_size=4).map(" ".join))
def test_a_real_name_matches_itself_fully(a):
    assert name_similarity(a, a) == 1.0


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_diacritics_never_change_an_arabic_key(data):
    text = data.draw(st.one_of(arabic_text, st.sampled_from([f[0] for f in testdata.FIRST_NAMES])))
    marks = data.draw(st.lists(st.sampled_from(TASHKEEL), min_size=len(text), max_size=len(text)))
    keep = data.draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    decorated = "".join(c + (m if k else "") for c, m, k in zip(text, marks, keep, strict=True))
    assert normalize_arabic(decorated) == normalize_arabic(text)
    assert arabic_to_latin_key(decorated) == arabic_to_latin_key(text)
    # A name made only of vowel carriers (a lone hamza) has no key and scores 0 by design.
    if arabic_to_latin_key(text):
        assert name_similarity(decorated, text) == 1.0


identities = st.builds(
    ChildIdentity,
    first_name_ar=st.sampled_from(["", "محمد", "فاطمة", "يوسف", "خديجة"]),
    last_name_ar=st.sampled_from(["", "العلوي", "التازي", "بنعلي"]),
    first_name_lat=st.sampled_from(["", "Mohamed", "Fatima", "Youssef", "Younes", "Khadidja"]),
    last_name_lat=st.sampled_from(["", "Alaoui", "Tazi", "Ben Ali"]),
    sex=st.sampled_from(["male", "female", "unknown"]),
    birth_year=st.one_of(st.none(), st.integers(2005, 2025)),
    birth_year_estimated=st.booleans(),
    mother_name=st.sampled_from(["", "Amina Tazi", "أمينة التازي", "Naima Fassi"]),
    province_code=st.sampled_from(["", "04.441", "01.511"]),
)


@settings(max_examples=300, deadline=None)
@given(identities, identities)
def test_match_score_is_symmetric_and_bounded(a, b):
    score = match_score(a, b)
    assert 0.0 <= score <= 1.0
    assert match_score(b, a) == score


# --------------------------------------------------------------------------------------
# match_score and search_keys
# --------------------------------------------------------------------------------------

CHILD = ChildIdentity(
    first_name_ar="خديجة",
    last_name_ar="التازي",
    first_name_lat="Khadija",
    last_name_lat="Tazi",
    sex="female",
    birth_year=2014,
    mother_name="Amina Alaoui",
    province_code="04.441",
)


def test_same_record_scores_one():
    assert match_score(CHILD, CHILD) == 1.0


def test_other_script_and_spelling_with_an_estimated_age_matches():
    other = ChildIdentity(
        first_name_lat="KHADIDJA",
        last_name_lat="Ettazi",
        sex="female",
        birth_year=2012,
        birth_year_estimated=True,
        mother_name="أمينة العلوي",
        province_code="04.441",
    )
    assert match_score(CHILD, other) >= THRESHOLD


def test_each_fact_moves_the_score_the_documented_way():
    base = replace(CHILD, first_name_lat="Kadija", first_name_ar="", mother_name="")
    names_only = replace(base, birth_year=None, province_code="")
    reference = match_score(CHILD, names_only)
    assert reference < 1.0
    assert match_score(CHILD, replace(names_only, birth_year=2014)) > reference
    assert match_score(CHILD, replace(names_only, birth_year=2015)) < reference
    assert match_score(CHILD, replace(names_only, birth_year=2019)) < reference - 0.3
    assert match_score(CHILD, replace(names_only, province_code="04.441")) > reference
    assert match_score(CHILD, replace(names_only, mother_name="Amina El Alaoui")) > reference
    assert match_score(CHILD, replace(names_only, mother_name="Naima Fassi")) < reference
    assert match_score(CHILD, replace(names_only, sex="male")) < reference - 0.35
    assert match_score(CHILD, replace(names_only, sex="unknown")) == reference


def test_estimated_years_tolerate_two_years_exact_years_do_not():
    exact = replace(CHILD, birth_year=2016)
    estimated = replace(CHILD, birth_year=2016, birth_year_estimated=True)
    assert match_score(CHILD, estimated) >= THRESHOLD
    assert match_score(CHILD, exact) < THRESHOLD


def test_siblings_do_not_match():
    """Same family name, mother, province, two years apart: the nightly job must not pair
    brothers (DP-58)."""
    brother_a = ChildIdentity(
        first_name_lat="Youssef",
        last_name_lat="Alaoui",
        sex="male",
        birth_year=2012,
        mother_name="Amina Tazi",
        province_code="04.441",
    )
    brother_b = replace(brother_a, first_name_lat="Younes", birth_year=2014)
    twin = replace(brother_a, first_name_lat="Younes")
    assert match_score(brother_a, brother_b) < 0.5
    assert match_score(brother_a, twin) < THRESHOLD


def test_a_sex_outside_the_code_list_counts_as_unknown():
    girl = ChildIdentity(first_name_lat="Amina", last_name_lat="Tazi", sex="female")
    assert match_score(girl, replace(girl, sex="")) == 1.0
    assert match_score(girl, replace(girl, sex="male")) == 0.6


def test_no_name_on_one_side_cannot_match():
    nameless = replace(
        CHILD, first_name_ar="", last_name_ar="", first_name_lat="", last_name_lat=""
    )
    assert match_score(CHILD, nameless) <= 0.2


def test_search_keys_are_shared_by_script_variants():
    arabic = ChildIdentity(first_name_ar="محمد", last_name_ar="العلوي", birth_year=2014)
    latin = ChildIdentity(first_name_lat="Mhammed", last_name_lat="El Alaoui")
    assert {"n:mhmd", "n:l", "y:2014"} <= search_keys(arabic)
    assert search_keys(latin) == {"n:mhmd", "n:l"}
    query_keys = search_keys(replace(arabic, birth_year_estimated=True), query=True)
    assert {f"y:{y}" for y in range(2012, 2017)} <= query_keys


def test_search_keys_store_particle_readings():
    """A fused "Benali" is stored under its own key and under "Ali", so "Ben Ali" finds it."""
    fused = search_keys(ChildIdentity(first_name_lat="Youssef", last_name_lat="Benali"))
    split = search_keys(ChildIdentity(first_name_lat="Youssef", last_name_lat="Ben Ali"))
    assert split <= fused


# --------------------------------------------------------------------------------------
# Recall and false matches on the synthetic set
# --------------------------------------------------------------------------------------


def _rate(pairs, score) -> float:
    return sum(score(a, b) >= THRESHOLD for a, b in pairs) / len(pairs)


def test_recall_and_false_match_rate_on_synthetic_names():
    positives = testdata.positive_pairs(2000)
    negatives = testdata.negative_pairs(2000)
    siblings = testdata.sibling_pairs(2000)
    recall = _rate(positives, name_similarity)
    false_match = _rate(negatives, name_similarity)
    sibling_match = _rate(siblings, name_similarity)
    print(
        f"\nnames: recall {recall:.4f} on {len(positives)} variant pairs, "
        f"false matches {false_match:.4f} on {len(negatives)} different-name pairs, "
        f"{sibling_match:.4f} on {len(siblings)} sibling pairs (threshold {THRESHOLD})"
    )
    assert recall >= 0.95
    assert false_match <= 0.02
    assert sibling_match <= 0.02


def test_recall_and_false_match_rate_on_synthetic_identities():
    same = testdata.identity_pairs(2000, same=True)
    different = testdata.identity_pairs(2000, seed=20261127, same=False)
    recall = _rate(same, match_score)
    false_match = _rate(different, match_score)
    retrieved = sum(
        bool({k for k in search_keys(a) if k.startswith("n:")} & search_keys(b)) for a, b in same
    ) / len(same)
    print(
        f"\nidentities: recall {recall:.4f}, false matches {false_match:.4f}, "
        f"candidate retrieval by name keys {retrieved:.4f}"
    )
    assert recall >= 0.95
    assert false_match <= 0.02
    assert retrieved >= 0.95


def test_synthetic_data_is_reproducible():
    assert testdata.positive_pairs(50) == testdata.positive_pairs(50)
    assert testdata.positive_pairs(50, seed=1) != testdata.positive_pairs(50, seed=2)
