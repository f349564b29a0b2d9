"""Synthetic Moroccan names for measuring `himaya.children.matching` (tests and bench).

A small bilingual list of real first names and family names, each with its Arabic spelling
and the Latin spellings found in civil-registry extracts and case files, and a seeded
generator of name pairs:

- `positive_pairs`: the same person written twice, with realistic variation on each side
  (another listed spelling, vowel noise, doubled or single consonant, accents, ch/sh, k/q,
  el/al article added, fused or dropped, "Ben Ali"/"Benali", tashkeel, tatweel, hamza,
  ة/ه and ى/ي, swapped first and family name, and either script);
- `negative_pairs`: two people whose first names and family names both differ;
- `sibling_pairs`: same family name, different first names (the hard negatives);
- `typo_pairs`: positive pairs with a typing error on one side (a degradation measure);
- `identity_pairs` / `candidate_pool`: the same with sex, birth year, mother and province,
  for `match_score`.

Deterministic: every function takes a seed and uses its own `random.Random`.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator

from himaya.children.matching import ChildIdentity

# (Arabic, Latin spellings, sex)
FIRST_NAMES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("محمد", ("Mohamed", "Mohammed", "Muhammad", "Mohamad", "Mhamed"), "male"),
    ("أحمد", ("Ahmed", "Ahmad"), "male"),
    ("يوسف", ("Youssef", "Yousef", "Youssouf", "Yusuf"), "male"),
    ("أيوب", ("Ayoub", "Ayyoub", "Ayub"), "male"),
    ("حمزة", ("Hamza", "Hamzah"), "male"),
    ("إدريس", ("Driss", "Idriss", "Idris"), "male"),
    ("إبراهيم", ("Ibrahim", "Brahim", "Ebrahim"), "male"),
    ("إسماعيل", ("Ismail", "Smail", "Ismael"), "male"),
    ("عبد القادر", ("Abdelkader", "Abdel Kader", "Abdulkader"), "male"),
    ("عبد الكريم", ("Abdelkrim", "Abdelkarim", "Abdel Karim"), "male"),
    ("عبد الله", ("Abdellah", "Abdallah", "Abdullah"), "male"),
    ("عبد الرحيم", ("Abderrahim", "Abderahim", "Abdelrahim"), "male"),
    ("خالد", ("Khalid", "Khaled"), "male"),
    ("رشيد", ("Rachid", "Rachide", "Rashid"), "male"),
    ("سعيد", ("Said", "Saïd", "Saeed"), "male"),
    ("كريم", ("Karim", "Kareem"), "male"),
    ("أمين", ("Amine", "Amin"), "male"),
    ("ياسين", ("Yassine", "Yacine", "Yasin"), "male"),
    ("عمر", ("Omar", "Oumar", "Umar"), "male"),
    ("عثمان", ("Othmane", "Otmane", "Outhmane"), "male"),
    ("زكرياء", ("Zakaria", "Zakariya", "Zakariae"), "male"),
    ("بلال", ("Bilal", "Belal"), "male"),
    ("أنس", ("Anas", "Annas"), "male"),
    ("إلياس", ("Ilyas", "Ilias", "Elias"), "male"),
    ("مهدي", ("Mehdi", "Mahdi"), "male"),
    ("حسن", ("Hassan", "Hasan"), "male"),
    ("حسين", ("Houssine", "Hussein", "Houssaine"), "male"),
    ("مصطفى", ("Mustapha", "Mostafa", "Moustafa"), "male"),
    ("طارق", ("Tarik", "Tariq", "Tarek"), "male"),
    ("سفيان", ("Soufiane", "Sofiane", "Sufyan"), "male"),
    ("أشرف", ("Achraf", "Ashraf"), "male"),
    ("وليد", ("Walid", "Oualid"), "male"),
    ("نبيل", ("Nabil", "Nabile"), "male"),
    ("هشام", ("Hicham", "Hisham"), "male"),
    ("جمال", ("Jamal", "Djamal"), "male"),
    ("عادل", ("Adil", "Adel"), "male"),
    ("نور الدين", ("Noureddine", "Nour Eddine", "Nourdine"), "male"),
    ("طه", ("Taha",), "male"),
    ("يحيى", ("Yahya", "Yahia"), "male"),
    ("فاطمة", ("Fatima", "Fatema", "Fatimah"), "female"),
    ("فاطمة الزهراء", ("Fatima Zahra", "Fatima-Zahra", "Fatimazahra", "Fatima Ezzahra"), "female"),
    ("خديجة", ("Khadija", "Khadidja", "Khadeeja"), "female"),
    ("عائشة", ("Aicha", "Aïcha", "Aisha"), "female"),
    ("مريم", ("Meryem", "Mariam", "Meriem", "Maryam"), "female"),
    ("زينب", ("Zineb", "Zainab", "Zaynab"), "female"),
    ("أمينة", ("Amina", "Aminah"), "female"),
    ("سلمى", ("Salma", "Selma"), "female"),
    ("ياسمين", ("Yasmine", "Yasmin"), "female"),
    ("سكينة", ("Soukaina", "Soukayna", "Sukaina"), "female"),
    ("هاجر", ("Hajar", "Hadjar"), "female"),
    ("نادية", ("Nadia", "Nadiya"), "female"),
    ("حنان", ("Hanane", "Hanan"), "female"),
    ("إيمان", ("Imane", "Iman"), "female"),
    ("نعيمة", ("Naima", "Naïma", "Naeema"), "female"),
    ("سميرة", ("Samira", "Sameera"), "female"),
    ("لطيفة", ("Latifa", "Lateefa"), "female"),
    ("هدى", ("Houda", "Hoda", "Huda"), "female"),
    ("سعاد", ("Souad", "Soad", "Suad"), "female"),
    ("أسماء", ("Asmaa", "Asmae", "Asma"), "female"),
    ("شيماء", ("Chaimae", "Chaima", "Shaimaa"), "female"),
    ("وئام", ("Wiam", "Ouiam", "Wiame"), "female"),
    ("دعاء", ("Douae", "Doaa", "Douaa"), "female"),
    ("سهام", ("Siham", "Sihame"), "female"),
    ("غزلان", ("Ghizlane", "Ghizlan"), "female"),
    ("إكرام", ("Ikram", "Ikrame"), "female"),
    ("لبنى", ("Loubna", "Lubna"), "female"),
    ("بشرى", ("Bouchra", "Bushra", "Bochra"), "female"),
    ("كوثر", ("Kaoutar", "Kawtar", "Kaouthar"), "female"),
    ("حليمة", ("Halima", "Halimah"), "female"),
    ("وفاء", ("Wafae", "Ouafae", "Wafaa"), "female"),
    ("سناء", ("Sanae", "Sanaa", "Sana"), "female"),
    ("إلهام", ("Ilham", "Ilhame", "Elham"), "female"),
    ("خولة", ("Khaoula", "Khawla", "Khaula"), "female"),
    ("منى", ("Mouna", "Mona", "Muna"), "female"),
    ("رقية", ("Rokaya", "Roqaya", "Rouqaya"), "female"),
)

# (Arabic, Latin spellings)
FAMILY_NAMES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("العلوي", ("Alaoui", "El Alaoui", "Elalaoui")),
    ("التازي", ("Tazi", "Ettazi", "El Tazi")),
    ("الفاسي", ("Fassi", "El Fassi", "Elfassi")),
    ("بناني", ("Bennani", "Benani")),
    ("بنعلي", ("Benali", "Ben Ali")),
    ("بنجلون", ("Benjelloun", "Ben Jelloun", "Benjeloun")),
    ("الإدريسي", ("Idrissi", "El Idrissi", "Idrissy")),
    ("العمراني", ("Amrani", "El Amrani", "Lamrani")),
    ("برادة", ("Berrada", "Berada")),
    ("الشرقاوي", ("Cherkaoui", "Charkaoui", "Chergaoui")),
    ("الصقلي", ("Skalli", "Sqalli", "Seqalli")),
    ("الكتاني", ("Kettani", "Ketani", "El Kettani")),
    ("المنصوري", ("Mansouri", "El Mansouri", "Mansoury")),
    ("الحسني", ("Hassani", "El Hassani")),
    ("الوزاني", ("Ouazzani", "Wazzani", "El Ouazzani")),
    ("بوزيان", ("Bouzian", "Bouziane")),
    ("الزياني", ("Ziani", "Zayani")),
    ("السباعي", ("Sebai", "Sbai", "Sebbai")),
    ("الطاهري", ("Tahiri", "Ettahiri", "Taheri")),
    ("القادري", ("Kadiri", "Qadiri", "El Kadiri")),
    ("الشاوي", ("Chaoui", "Echchaoui", "Chawi")),
    ("الناصري", ("Naciri", "Nasiri", "Ennaciri")),
    ("الراشدي", ("Rachidi", "Errachidi", "Rachidy")),
    ("السعيدي", ("Saidi", "Essaidi", "Saïdi")),
    ("العثماني", ("Othmani", "El Othmani", "Otmani")),
    ("البقالي", ("Bakkali", "Baqali", "El Bakkali")),
    ("الغزالي", ("Ghazali", "Ghazzali", "El Ghazali")),
    ("العلمي", ("Alami", "El Alami", "Elalami")),
    ("الخطيب", ("Khatib", "El Khatib", "Khattib")),
    ("المرابط", ("Mrabet", "El Mrabet", "Merabet")),
    ("الحداد", ("Haddad", "Hadad", "El Haddad")),
    ("النجار", ("Najjar", "Ennajjar", "Nejjar")),
    ("الجزولي", ("Jazouli", "El Jazouli", "Djazouli")),
    ("البوزيدي", ("Bouzidi", "El Bouzidi", "Bouzidy")),
    ("الحمداوي", ("Hamdaoui", "El Hamdaoui", "Hamdawi")),
    ("آيت الحاج", ("Ait Lhaj", "Aït El Haj", "Ait Elhaj")),
    ("الدكالي", ("Doukkali", "Doukali", "Dukkali")),
    ("المراكشي", ("Marrakchi", "Marrakshi", "El Marrakchi")),
    ("الفيلالي", ("Filali", "El Filali", "Felali")),
    ("الأندلسي", ("Andaloussi", "Andalousi", "El Andaloussi")),
    ("البركاني", ("Berkani", "Barkani")),
    ("الصديقي", ("Seddiki", "Saddiki", "Sediki")),
    ("الزروالي", ("Zerouali", "Zeroali", "Zarwali")),
    ("بنكيران", ("Benkirane", "Ben Kirane")),
    ("بنسليمان", ("Benslimane", "Ben Slimane")),
    ("الكبير", ("Kabir", "El Kabir", "El Kebir")),
    ("الموساوي", ("Moussaoui", "Mousaoui", "El Moussaoui")),
    ("الشرايبي", ("Chraibi", "Cheraibi", "Chraïbi")),
    ("العراقي", ("Iraki", "El Iraki", "Eliraqi")),
    ("الريفي", ("Rifi", "Riffi", "Errifi")),
    ("السوسي", ("Soussi", "Sousi", "Essoussi")),
    ("الجراري", ("Jirari", "Jerrari", "Djirari")),
    ("التهامي", ("Touhami", "Tohami")),
    ("أمزيان", ("Amziane", "Amzyan", "Amzian")),
    ("أخنوش", ("Akhannouch", "Akhanouch")),
    ("الرامي", ("Rami", "Errami", "El Rami")),
    ("الوردي", ("Ouardi", "Wardi", "El Ouardi")),
    ("الهواري", ("Houari", "El Houari", "Hawari")),
    ("القباج", ("Kabbaj", "Qabbaj", "El Kabbaj")),
    ("الزموري", ("Zemmouri", "Zammouri", "Zemouri")),
)

PROVINCES = ("04.441", "04.421", "01.511", "05.541", "07.141", "09.001", "02.151", "03.101")

_TASHKEEL = "\u064e\u064f\u0650\u0651\u0652\u064b"
_TATWEEL = "\u0640"
_LAT_VOWELS = "aeiou"


# --------------------------------------------------------------------------------------
# Rendering one spelling
# --------------------------------------------------------------------------------------


def _vowel_noise(word: str, rng: random.Random) -> str:
    """Change one short vowel between consonants the way clerks do: a↔e, i→e, o↔ou, ou→u."""
    spots = [
        k
        for k in range(1, len(word) - 1)
        if word[k] in "aeio" and word[k - 1] not in _LAT_VOWELS and word[k + 1] not in _LAT_VOWELS
    ]
    spots += [m.start() for m in re.finditer("ou", word) if 0 < m.start() < len(word) - 2]
    if not spots:
        return word
    k = rng.choice(spots)
    if word.startswith("ou", k):
        return word[:k] + rng.choice(("u", "o")) + word[k + 2 :]
    replacement = {"a": "e", "e": rng.choice("ai"), "i": "e", "o": "ou"}[word[k]]
    return word[:k] + replacement + word[k + 1 :]


def _consonant_noise(word: str, rng: random.Random) -> str:
    """Double a single consonant between vowels, or undouble a doubled one."""
    doubled = [m.start() for m in re.finditer(r"([b-df-hj-np-tv-z])\1", word)]
    if doubled and rng.random() < 0.5:
        k = rng.choice(doubled)
        return word[:k] + word[k + 1 :]
    spots = [
        k
        for k in range(2, len(word) - 1)
        if word[k] in "bdfjklmnrstz" and word[k - 1] in _LAT_VOWELS and word[k + 1] in _LAT_VOWELS
    ]
    if not spots:
        return word
    k = rng.choice(spots)
    return word[: k + 1] + word[k:]


def _letter_noise(word: str, rng: random.Random) -> str:
    """Equivalent transliterations: ch↔sh, k↔q, dj↔j, final i↔y, accents."""
    options = []
    if "ch" in word:
        options.append(word.replace("ch", "sh", 1))
    if "sh" in word:
        options.append(word.replace("sh", "ch", 1))
    if "k" in word and "kh" not in word:
        options.append(word.replace("k", "q", 1))
    if "q" in word:
        options.append(word.replace("q", "k", 1))
    if "dj" in word:
        options.append(word.replace("dj", "j", 1))
    if word.endswith("i") and len(word) > 3:
        options.append(word[:-1] + "y")
    if "e" in word[1:]:
        options.append(word[0] + word[1:].replace("e", rng.choice("éè"), 1))
    if "i" in word[1:]:
        options.append(word[0] + word[1:].replace("i", "ï", 1))
    return rng.choice(options) if options else word


def _latin_spelling(
    spellings: tuple[str, ...], rng: random.Random, *, family: bool, ben: bool = False
) -> str:
    spelling = rng.choice(spellings)
    words = spelling.split()
    out = []
    for word in words:
        low = word.lower()
        if low in ("el", "ben", "ait", "aït"):
            out.append(low)
            continue
        for noise in (_vowel_noise, _consonant_noise, _letter_noise):
            if rng.random() < 0.25:
                low = noise(low, rng)
        out.append(low)
    if family and rng.random() < 0.3:
        out = _article_noise(out, rng, ben=ben)
    text = " ".join(out)
    case = rng.random()
    if case < 0.5:
        return text.title()
    if case < 0.8:
        return text.upper()
    return text


def _article_noise(words: list[str], rng: random.Random, *, ben: bool) -> list[str]:
    """El Alaoui / El-Alaoui / Elalaoui / Alaoui; Ben Ali / Benali (only for a بن name)."""
    if words[0] == "el" and len(words) > 1:
        return rng.choice(([*words[1:]], ["el-" + words[1], *words[2:]], ["el" + words[1]]))
    if words[0] == "ben" and len(words) > 1:
        return ["ben" + words[1], *words[2:]]
    if ben and words[0].startswith("ben") and len(words[0]) > 5:
        return ["ben", words[0][3:], *words[1:]]
    if rng.random() < 0.5:
        return ["el", *words]
    return words


def _arabic_spelling(text: str, rng: random.Random, *, family: bool) -> str:
    if family and rng.random() < 0.2:
        text = text[2:] if text.startswith("ال") else text
    if rng.random() < 0.3:
        text = re.sub("(^| )[أإآ]", lambda m: m.group(1) + "ا", text)
    if rng.random() < 0.2:
        text = text.replace("ة", "ه")
    if rng.random() < 0.2 and text.endswith("ى"):
        text = text[:-1] + "ي"
    if rng.random() < 0.3:
        text = "".join(
            c + (rng.choice(_TASHKEEL) if c != " " and rng.random() < 0.5 else "") for c in text
        )
    if rng.random() < 0.1 and len(text) > 3:
        k = rng.randrange(1, len(text) - 1)
        if text[k] not in " " and text[k - 1] != " ":
            text = text[:k] + _TATWEEL + text[k:]
    return text


def render(
    first: tuple[str, tuple[str, ...], str],
    family: tuple[str, tuple[str, ...]],
    script: str,
    rng: random.Random,
) -> tuple[str, str]:
    """(first name, family name) of one person written in `script` ("ar" or "lat")."""
    if script == "ar":
        return _arabic_spelling(first[0], rng, family=False), _arabic_spelling(
            family[0], rng, family=True
        )
    return _latin_spelling(first[1], rng, family=False), _latin_spelling(
        family[1], rng, family=True, ben=any(s.startswith("Ben ") for s in family[1])
    )


def _full(first: str, family: str, rng: random.Random) -> str:
    """A full name as typed in one search box; now and then family name first."""
    return f"{family} {first}" if rng.random() < 0.2 else f"{first} {family}"


# --------------------------------------------------------------------------------------
# Pairs of names
# --------------------------------------------------------------------------------------


def _script(rng: random.Random) -> str:
    return "ar" if rng.random() < 0.5 else "lat"


def positive_pairs(n: int = 2000, seed: int = 20261122) -> list[tuple[str, str]]:
    """`n` pairs of full names of the same person, written differently."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not security
    pairs = []
    for _ in range(n):
        first = rng.choice(FIRST_NAMES)
        family = rng.choice(FAMILY_NAMES)
        a = _full(*render(first, family, _script(rng), rng), rng)
        b = _full(*render(first, family, _script(rng), rng), rng)
        pairs.append((a, b))
    return pairs


def _distinct_first_names(rng: random.Random) -> tuple:
    """Two first names that share no word: "Fatima" and "Fatima Zahra" are not two names."""
    while True:
        a, b = rng.sample(FIRST_NAMES, 2)
        if not set(a[0].split()) & set(b[0].split()):
            return a, b


def negative_pairs(n: int = 2000, seed: int = 20261123) -> list[tuple[str, str]]:
    """`n` pairs of two people whose first names differ and whose family names differ."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not security
    pairs = []
    for _ in range(n):
        first_a, first_b = _distinct_first_names(rng)
        family_a, family_b = rng.sample(FAMILY_NAMES, 2)
        a = _full(*render(first_a, family_a, _script(rng), rng), rng)
        b = _full(*render(first_b, family_b, _script(rng), rng), rng)
        pairs.append((a, b))
    return pairs


def sibling_pairs(n: int = 2000, seed: int = 20261124) -> list[tuple[str, str]]:
    """`n` pairs of two children of one family: same family name, different first names."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not security
    pairs = []
    for _ in range(n):
        first_a, first_b = _distinct_first_names(rng)
        family = rng.choice(FAMILY_NAMES)
        a = _full(*render(first_a, family, _script(rng), rng), rng)
        b = _full(*render(first_b, family, _script(rng), rng), rng)
        pairs.append((a, b))
    return pairs


def _typo(word: str, rng: random.Random) -> str:
    """One slip of the keyboard: a letter replaced, dropped or swapped with the next."""
    k = rng.randrange(len(word))
    kind = rng.choice(("replace", "drop", "swap"))
    if kind == "replace":
        return word[:k] + rng.choice("abcdefghijklmnopqrstuvwxyz") + word[k + 1 :]
    if kind == "drop" and len(word) > 3:
        return word[:k] + word[k + 1 :]
    if k + 1 < len(word):
        return word[:k] + word[k + 1] + word[k] + word[k + 2 :]
    return word


def typo_pairs(n: int = 2000, seed: int = 20261128) -> list[tuple[str, str]]:
    """Like `positive_pairs`, with one Latin-script side carrying a typing error in one word.
    Not a promise of the matcher: a measure of how far it degrades."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not security
    pairs = []
    for _ in range(n):
        first = rng.choice(FIRST_NAMES)
        family = rng.choice(FAMILY_NAMES)
        a = _full(*render(first, family, _script(rng), rng), rng)
        words = " ".join(render(first, family, "lat", rng)).split()
        k = rng.randrange(len(words))
        words[k] = _typo(words[k], rng)
        pairs.append((a, " ".join(words)))
    return pairs


# --------------------------------------------------------------------------------------
# Identities for match_score
# --------------------------------------------------------------------------------------


def _person(rng: random.Random) -> dict:
    first = rng.choice(FIRST_NAMES)
    return {
        "first": first,
        "family": rng.choice(FAMILY_NAMES),
        "sex": first[2],
        "year": rng.randrange(2008, 2025),
        "mother": (
            rng.choice([f for f in FIRST_NAMES if f[2] == "female"]),
            rng.choice(FAMILY_NAMES),
        ),
        "province": rng.choice(PROVINCES),
    }


def _identity(person: dict, rng: random.Random, *, year_noise: bool) -> ChildIdentity:
    """One record of `person`: Arabic names, Latin names or both; sometimes an estimated
    year off by up to 2; sometimes no year, no sex, no mother."""
    scripts = rng.choice((("ar",), ("lat",), ("ar", "lat"), ("ar", "lat")))
    names = {"ar": ("", ""), "lat": ("", "")}
    for script in scripts:
        names[script] = render(person["first"], person["family"], script, rng)
    year: int | None = person["year"]
    estimated = False
    if year_noise and rng.random() < 0.3:
        estimated = True
        year += rng.choice((-2, -1, 0, 0, 1, 2))
    if rng.random() < 0.1:
        year = None
    mother = ""
    if rng.random() < 0.6:
        m_first, m_family = person["mother"]
        mother = " ".join(render(m_first, m_family, _script(rng), rng))
    return ChildIdentity(
        first_name_ar=names["ar"][0],
        last_name_ar=names["ar"][1],
        first_name_lat=names["lat"][0],
        last_name_lat=names["lat"][1],
        sex=person["sex"] if rng.random() < 0.95 else "unknown",
        birth_year=year,
        birth_year_estimated=estimated,
        mother_name=mother,
        province_code=person["province"] if rng.random() < 0.8 else rng.choice(PROVINCES),
    )


def identity_pairs(
    n: int = 2000, seed: int = 20261125, *, same: bool = True
) -> list[tuple[ChildIdentity, ChildIdentity]]:
    """`n` pairs of records of the same child (`same=True`) or of two different children
    whose first and family names differ (`same=False`)."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not security
    pairs = []
    for _ in range(n):
        person = _person(rng)
        if same:
            other = person
        else:
            other = _person(rng)
            while (
                set(other["first"][0].split()) & set(person["first"][0].split())
                or other["family"] == person["family"]
            ):
                other = _person(rng)
        pairs.append(
            (_identity(person, rng, year_noise=True), _identity(other, rng, year_noise=True))
        )
    return pairs


def candidate_pool(n: int, seed: int = 20261126) -> Iterator[ChildIdentity]:
    """`n` records of random children, as a candidate list to rank."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not security
    for _ in range(n):
        yield _identity(_person(rng), rng, year_noise=True)
