"""Matching of children's names written in Arabic script, Latin script, or both.

It serves the mandatory search before a child is created (`circuit.md` §4.2 step 1), the
nightly proposal of likely duplicates to supervisors (`data-protection.md` DP-58) and the
`GET /api/v1/children/?q=` and `POST /api/v1/children/match/` endpoints, where spelling and
script variants of the same name must match. It only ranks: nothing here merges anything
(DP-58: the system never merges automatically).

Pure and deterministic: no database, no settings, no randomness, no dependency. The same
input always gives the same float, whatever the argument order.

How a name is compared
----------------------
Both scripts are brought into one symbol alphabet, one tuple of symbols per name token:

- consonant classes ``b t d j h k l m n r s z f w y`` plus ``S`` (ش, ch/sh), ``X`` (خ, kh/x),
  ``G`` (غ, gh), ``g`` (ڭ, hard g) and ``@`` (the "عبد / Abd-el" of compound names, whose
  tail is what tells Abdelkader from Abdelkrim);
- vowels ``A I U`` and ``E``, a weak vowel that agrees with any other (the French "e" of
  Mohamed/Youssef/Fatema);
- Arabic letters that Latin writes as a vowel or not at all: ``V`` (initial alef: Driss =
  إدريس), ``3`` (ع: Said = سعيد), ``H`` (final ة/ه: "a" or "h") and ``Y`` (final ي/ى: "i",
  "y" or "a"); and ``ʰ``, a Latin final h after a vowel (Aminah, Abdellah).

Arabic does not write short vowels, so a Latin short vowel facing Arabic costs almost
nothing, while a written long vowel (ا و ي) or a final vowel (the feminine ة of
Karima/Karim) costs a lot. Two tokens are compared by a weighted Levenshtein distance over
these symbols, divided by the weighted length of the longer one (`_token_similarity`).
A full name is a best assignment of tokens (order-free: first and family names may be
swapped), with adjacent tokens allowed to merge ("Fatima Zahra" = "Fatimazahra"), scored by
the harmonic mean of the matched tokens (one wrong token sinks the name) times a coverage
factor for unmatched tokens (`_names_similarity`).

For indexed retrieval, `search_keys` gives consonant-skeleton keys (vowels, medial w/y and
final ة dropped): "Mohamed", "Mhammed", "Muhammad" and "محمد" all give ``n:mhmd``.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "ChildIdentity",
    "arabic_to_latin_key",
    "latin_key",
    "match_score",
    "name_similarity",
    "normalize_arabic",
    "normalize_latin",
    "search_keys",
]

Symbols = tuple[str, ...]
# A token: its script ("ar" or "lat") and its readings, the first being the primary one.
# Further readings come from prefixes that may or may not be a particle ("Elalaoui",
# "Benali", "Ezzahra", "Lahcen", "بنعلي").
Token = tuple[str, tuple[Symbols, ...]]
Name = tuple[Token, ...]

# --------------------------------------------------------------------------------------
# Arabic normalisation
# --------------------------------------------------------------------------------------

_TATWEEL = "\u0640"
# After NFKD, hamza and madda above/below are combining marks: removing every mark turns
# أ إ آ ؤ ئ into their bare carriers ا ا ا و ي, and removes tashkeel.
_AR_UNIFY = str.maketrans(
    {
        "\u0671": "ا",  # ٱ alef wasla
        "\u0672": "ا",
        "\u0673": "ا",
        "\u0675": "ا",
        "ى": "ي",
        "ة": "ه",
        "\u06cc": "ي",  # Persian yeh
        "\u06d2": "ي",  # yeh barree
        "\u06c0": "ه",  # heh with yeh above
        "\u06c1": "ه",
        "\u06c2": "ه",
        "\u06be": "ه",  # heh doachashmee
        "\u06a9": "ك",  # keheh
        "\u06af": "ڭ",  # Persian gaf, written for the Moroccan ڭ
        _TATWEEL: "",
    }
)
_AR_LETTERS = "ءابتثجحخدذرزسشصضطظعغفقكلمنهوي" + "ڭڤپچژ"
_NON_AR_LETTER = re.compile(f"[^{_AR_LETTERS}]+")
_AR_ARTICLE = "ال"
# Names that begin with ال without it being the article (written without the hamza of إ).
_AR_ARTICLE_EXCEPTIONS = frozenset({"الياس", "الهام", "اليسع", "الينا", "الين"})
_AR_PARTICLES = frozenset({"بن", "ابن", "بنت", "ولد", "اولاد", "ايت", "ال"})
_AR_ABD = "عبد"


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _strip_ar_article(token: str) -> str:
    while token.startswith(_AR_ARTICLE) and len(token) >= 4 and token not in _AR_ARTICLE_EXCEPTIONS:
        token = token[2:]
    return token


def _drop_particles(tokens: list[str], particles: frozenset[str]) -> list[str]:
    kept = [t for t in tokens if t not in particles]
    return kept or tokens


def _join_compounds(tokens: list[str], heads: frozenset[str]) -> list[str]:
    """Join a head word to the next: "عبد القادر" → "عبدالقادر", "Abd El Kader" →
    "abdelkader" (one name, one token)."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        while token in heads and i + 1 < len(tokens):
            i += 1
            token += tokens[i]
        out.append(token)
        i += 1
    return out


_AR_HEADS = frozenset({_AR_ABD, "ابو"})


@lru_cache(maxsize=65536)
def normalize_arabic(text: str) -> str:
    """Arabic-script name → comparable form.

    Removes tashkeel and tatweel; unifies أ إ آ ٱ → ا, ى → ي, ة → ه, ؤ → و, ئ → ي; turns
    punctuation, digits and other scripts into spaces; joins "عبد"/"ابو" to the next word;
    removes the article ال at the start of each word (not in names such as الياس, الهام);
    drops the particles بن ابن بنت ولد اولاد ايت when they are words of their own (unless
    nothing else is left). Idempotent.
    """
    text = _strip_marks(text).translate(_AR_UNIFY)
    tokens = _NON_AR_LETTER.sub(" ", text).split()
    tokens = _join_compounds(tokens, _AR_HEADS)
    tokens = [_strip_ar_article(t) for t in tokens]
    tokens = _drop_particles(tokens, _AR_PARTICLES)
    return " ".join(tokens)


# --------------------------------------------------------------------------------------
# Latin normalisation
# --------------------------------------------------------------------------------------

_LAT_PARTICLES = frozenset(
    {
        "el", "al", "ben", "bent", "bint", "ould", "ait", "ibn", "bin", "ibnou",
        # the article before a "sun letter", as French transliteration writes it
        "ech", "ed", "en", "er", "es", "et", "ez", "ad", "an", "ar", "as", "at", "az",
    }
)  # fmt: skip
_LAT_HEADS = frozenset({"abd", "abdel", "abdal", "abdul", "abdoul", "abou", "abu"})
_LAT_ABBREVIATIONS = {"med": "mohamed", "mohd": "mohamed", "mly": "moulay"}
_APOSTROPHES = re.compile("['’‘`´ʼʻ]")
_NON_LATIN = re.compile("[^a-z]+")
_DOUBLE_CONSONANT = re.compile(r"([bcdfghjklmnpqrstvwxyz])\1+")
_LAT_ABD = re.compile(r"^abd(?:ou|[aeiuo])?l?(?=[a-z])")
_VOWEL_LETTERS = frozenset("aeiouy")
_SUN_LETTERS = ("ch", "sh", "t", "d", "r", "z", "s", "n", "l")


def _latin_words(text: str) -> list[str]:
    """Casefold, strip accents and apostrophes, split on anything that is not a-z."""
    text = text.casefold().replace("ç", "s").replace("œ", "oe").replace("æ", "ae")
    text = _APOSTROPHES.sub("", _strip_marks(text))
    words = _NON_LATIN.sub(" ", text).split()
    words = [_LAT_ABBREVIATIONS.get(w, w) for w in words]
    words = _join_compounds(words, _LAT_HEADS)
    return _drop_particles(words, _LAT_PARTICLES)


def _parse_latin_word(word: str) -> Symbols:
    """French-style transliteration of one word → symbols (see the module docstring)."""
    word = _DOUBLE_CONSONANT.sub(r"\1", word)
    n = len(word)
    out: list[str] = []
    i = 0
    while i < n:
        c = word[i]
        two = word[i : i + 2]
        after = word[i + 2] if i + 2 < n else ""
        nxt = word[i + 1] if i + 1 < n else ""
        if word.startswith("sch", i):
            out.append("S")
            i += 3
            continue
        if two in ("ch", "sh"):
            out.append("S")
        elif two == "kh":
            out.append("X")
        elif two == "gh":
            out.append("G")
        elif two == "dj":
            out.append("j")
        elif two == "ph":
            out.append("f")
        elif two == "th":
            out.append("t")
        elif two == "dh":
            out.append("d")
        elif two == "ck":
            out.append("k")
        elif two == "ou":
            # "ou" before a vowel is a w at the start or after a vowel (Ouafae, Alaoui,
            # Naoual), a u after a consonant (Souad, Mouad).
            glide = after in _VOWEL_LETTERS and after != "y"
            out.append("w" if glide and (i == 0 or word[i - 1] in _VOWEL_LETTERS) else "U")
        elif two == "oo":
            out.append("U")
        elif two == "ee":
            out.append("I")
        elif two == "gu" and after in ("e", "i", "y"):
            out.append("g")
        else:
            i += 1
            if c == "g":
                out.append("j" if nxt in ("e", "i", "y") else "g")
            elif c == "c":
                out.append("s" if nxt in ("e", "i", "y") else "k")
            elif c == "q":
                out.append("k")
            elif c == "x":
                out.append("X")
            elif c == "p":
                out.append("b")
            elif c == "v":
                out.append("f")
            elif c == "y":
                # A consonant at the start, before a vowel, or between a vowel and a
                # consonant (Ayman, Zaynab); a vowel otherwise (Rachidy, Moulay).
                vowel_before = i > 1 and word[i - 2] in _VOWEL_LETTERS
                consonant = i == 1 or nxt in ("a", "e", "i", "o", "u") or (vowel_before and nxt)
                out.append("y" if consonant else "I")
            elif c == "e":
                # French mute final e: Amine = Amin, Yassine = Yassin.
                if not (i == n and n > 2 and word[i - 2] not in _VOWEL_LETTERS):
                    out.append("E")
            elif c == "h" and i == n and n > 2 and word[i - 2] in "aei":
                # English-style final h of ة: Aminah = Amina, Abdellah.
                out.append(_SOFT_H)
            elif c == "a":
                out.append("A")
            elif c == "i":
                out.append("I")
            elif c in ("o", "u"):
                out.append("U")
            else:
                out.append(c)
            continue
        i += 2
    return _tidy(out)


_STRONG_VOWELS = frozenset("AIU")
_SOFT_H = "ʰ"  # a Latin final h after a vowel: written or not, and the ه of الله


def _tidy(symbols: list[str]) -> Symbols:
    """Collapse doubled symbols; drop a weak vowel E standing next to a real vowel."""
    collapsed: list[str] = []
    for s in symbols:
        if not collapsed or collapsed[-1] != s:
            collapsed.append(s)
    out = [
        s
        for k, s in enumerate(collapsed)
        if s != "E"
        or not (
            (k > 0 and collapsed[k - 1] in _STRONG_VOWELS)
            or (k + 1 < len(collapsed) and collapsed[k + 1] in _STRONG_VOWELS)
        )
    ]
    final: list[str] = []
    for s in out:
        if not final or final[-1] != s:
            final.append(s)
    return tuple(final)


_RENDER = {"A": "a", "I": "i", "U": "u", "E": "e", "S": "sh", "X": "kh", "G": "gh", _SOFT_H: "h"}


def _render(symbols: Symbols) -> str:
    out = []
    for k, s in enumerate(symbols):
        nxt = symbols[k + 1] if k + 1 < len(symbols) else ""
        if s == "@":
            out.append("abdel")
        elif s == "g":
            out.append("gu" if nxt in ("I", "E", "y") else "g")
        elif s == "k":
            out.append("q" if nxt == "h" else "k")
        else:
            out.append(_RENDER.get(s, s))
    return "".join(out)


def _latin_word_symbols(word: str) -> Symbols:
    match = _LAT_ABD.match(word)
    if match:
        return ("@", *_parse_latin_word(word[match.end() :]))
    return _parse_latin_word(word)


def _normalize_latin_once(text: str) -> str:
    return " ".join(_render(_latin_word_symbols(w)) for w in _latin_words(text))


@lru_cache(maxsize=65536)
def normalize_latin(text: str) -> str:
    """Latin-script name → comparable form.

    Casefolds; strips accents, apostrophes, hyphens and punctuation; joins "Abd El"/"Abou"
    to the next word; drops the particles el al ben bent ould ait ibn bin (and the
    assimilated articles ech/ed/en/er/es/et/ez) when they are separate words ("El-Alaoui"
    counts as two words); collapses doubled letters; unifies the French transliteration
    variants: ch/sh → sh, kh/x → kh, gh, dj/j → j, soft g → j, q/k/hard c → k, soft c → s,
    ph → f, th → t, dh → d, ou/oo/o/u → u ("ou" before a vowel and w → w), ee → i, a final y
    after a consonant → i, a French mute final e is dropped, and an e next to another vowel
    is dropped. The result is idempotent.
    """
    current = _normalize_latin_once(text)
    # One pass is a fixed point for real names; odd letter soups ("dge", "thh") may need a
    # second pass, so iterate to guarantee idempotence.
    for _ in range(8):
        again = _normalize_latin_once(current)
        if again == current:
            break
        current = again
    return current


# --------------------------------------------------------------------------------------
# Arabic → symbols
# --------------------------------------------------------------------------------------

_AR_CONSONANTS = {
    "ب": "b", "پ": "b", "ت": "t", "ط": "t", "ث": "t", "ج": "j", "ژ": "j", "ح": "h",
    "خ": "X", "د": "d", "ذ": "d", "ض": "d", "ر": "r", "ز": "z", "ظ": "z", "س": "s",
    "ص": "s", "ش": "S", "چ": "S", "غ": "G", "ف": "f", "ڤ": "f", "ق": "k", "ك": "k",
    "ڭ": "g", "ل": "l", "م": "m", "ن": "n",
}  # fmt: skip


def _arabic_word_symbols(word: str) -> Symbols:
    if word.startswith(_AR_ABD) and len(word) > len(_AR_ABD):
        tail = word[len(_AR_ABD) :]
        if tail.startswith(_AR_ARTICLE) and len(tail) > 3:
            tail = tail[2:]
        return ("@", *_arabic_letters_symbols(tail))
    if len(word) == 2 and word[1] == "ه":  # طه = Taha: a two-letter word ends in a real h
        return _tidy([*_arabic_letters_symbols(word[0]), "h", "A"])
    return _arabic_letters_symbols(word)


def _arabic_letters_symbols(word: str) -> Symbols:
    out: list[str] = []
    last = len(word) - 1
    for i, c in enumerate(word):
        prev = word[i - 1] if i else ""
        nxt = word[i + 1] if i < last else ""
        if c in _AR_CONSONANTS:
            out.append(_AR_CONSONANTS[c])
        elif c == "ا":
            out.append("V" if i == 0 else "A")
        elif c == "ع":
            out.append("3")
        elif c == "و":
            out.append("w" if i == 0 or prev == "ا" or nxt == "ا" else "U")
        elif c == "ي":
            if i == 0 or prev == "ا" or nxt == "ا":
                out.append("y")
            else:
                out.append("Y" if i == last else "I")
        elif c == "ه":
            out.append("H" if i == last and i > 0 else "h")
        # ء carries no letter of its own in Latin.
    return _tidy(out)


# --------------------------------------------------------------------------------------
# Keys (consonant skeletons)
# --------------------------------------------------------------------------------------

_SKELETON_LETTER = {"S": "sh", "X": "kh", "G": "gh", "g": "k", "@": "bd"}
_SKELETON_DROP = frozenset(("A", "I", "U", "E", "H", "Y", "V", "3", _SOFT_H))


def _skeleton(symbols: Symbols) -> str:
    """Consonants only: vowels, a medial w/y, a final ة/ي and a Latin final h after a vowel
    are dropped (Abdellah = عبد الله = "bdl")."""
    out = []
    for k, s in enumerate(symbols):
        if s in _SKELETON_DROP:
            continue
        if s in ("w", "y") and k > 0 and symbols[k - 1] != "@":
            continue
        out.append(_SKELETON_LETTER.get(s, s))
    if not out:  # "Aya", "آية": keep the glide rather than an empty key
        out = [{"I": "y", "Y": "y", "U": "w"}.get(s, s) for s in symbols if s in "IYUwy"][:1]
    return "".join(out)


def latin_key(text: str) -> str:
    """Consonant-skeleton key of a Latin-script name, one word per token.

    Mohamed, Mohammed, Muhammad, Mhammed → "mhmd"; Youssef, Youssouf, Yusuf → "ysf";
    Khadija, Khadidja, Khadeeja → "khdj"; Fatima/Fatema → "ftm" but Fatna → "ftn";
    Abdelkader → "bdkdr", Abdelkrim → "bdkrm".
    """
    return " ".join(_skeleton(_latin_word_symbols(w)) for w in _latin_words(text))


def arabic_to_latin_key(text: str) -> str:
    """Consonant-skeleton key of an Arabic-script name, in the same key space as
    `latin_key`: محمد → "mhmd", يوسف → "ysf", خديجة → "khdj", فاطمة → "ftm"."""
    return " ".join(_skeleton(_arabic_word_symbols(w)) for w in normalize_arabic(text).split())


# --------------------------------------------------------------------------------------
# Tokens and their readings
# --------------------------------------------------------------------------------------

_AR_BLOCK = "\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff"
_AR_RUN = re.compile(f"[{_AR_BLOCK}]")
_SCRIPT_BOUNDARY = re.compile(
    f"(?<=[{_AR_BLOCK}])(?=[^{_AR_BLOCK}])|(?<=[^{_AR_BLOCK}])(?=[{_AR_BLOCK}])"
)
_AR_LETTER = re.compile(f"[{_AR_LETTERS}]")
_LATIN_LETTER = re.compile("[a-z]")
# "Elalaoui", "Elidrissi", "Alkhatib"; not the "Al" of Alaoui or Alami.
_LAT_ARTICLE_PREFIX = re.compile(r"^(?:el(?=[a-z]{3})|al(?=[bcdfghjklmnpqrstvwxz][a-z]{2}))")
_LAT_BEN_PREFIX = re.compile(r"^(?:ben|bin|ibn)(?=[a-z]{3})")
# "Lahcen", "Larbi", "Lhoussaine": the Moroccan article "l"/"la" before two consonants.
_LAT_L_PREFIX = re.compile(
    r"^(?:l(?=[bcdfghjkmnpqrstvxz])|l[ae](?=[bcdfghjkmnpqrstvxz][bcdfghjklmnpqrstvxz]))"
)


def _assimilated_article(word: str) -> int:
    """Length of an "Ez-Zahra"-style article fused to the word ("ezzahra", "ettazi"), or 0."""
    if len(word) < 5 or word[0] not in "ae":
        return 0
    for sun in _SUN_LETTERS:
        if word.startswith(sun + sun, 1) and len(word) - 1 - len(sun) >= 3:
            return 1 + len(sun)
    return 0


@lru_cache(maxsize=65536)
def _latin_readings(word: str) -> tuple[Symbols, ...]:
    readings = [_latin_word_symbols(word)]
    compound = _LAT_ABD.match(word)
    if compound and compound.group().endswith("l"):
        # "Abdalah": the l may belong to the tail (Abd-Allah) rather than to "Abdal".
        readings.append(("@", *_parse_latin_word(word[compound.end() - 1 :])))
    alternatives = []
    for prefix in (_LAT_ARTICLE_PREFIX, _LAT_BEN_PREFIX, _LAT_L_PREFIX):
        match = prefix.match(word)
        if match:
            alternatives.append(word[match.end() :])
    cut = _assimilated_article(word)
    if cut:
        alternatives.append(word[cut:])
    for alternative in alternatives:
        symbols = _latin_word_symbols(alternative)
        if symbols and symbols not in readings:
            readings.append(symbols)
    return tuple(readings)


@lru_cache(maxsize=65536)
def _arabic_readings(word: str) -> tuple[Symbols, ...]:
    readings = [_arabic_word_symbols(word)]
    if word.startswith("بن") and len(word) >= 5:  # بنعلي = بن علي
        symbols = _arabic_word_symbols(word[2:])
        if symbols not in readings:
            readings.append(symbols)
    return tuple(readings)


def _is_arabic(word: str) -> bool:
    return bool(_AR_LETTER.search(_strip_marks(word).translate(_AR_UNIFY)))


def _is_latin(word: str) -> bool:
    return bool(_LATIN_LETTER.search(_strip_marks(word.casefold())))


def _field_tokens(text: str) -> list[Token]:
    """Tokens of one name field; Arabic and Latin runs of a mixed field are kept apart."""
    if not text or not text.strip():
        return []
    if not _AR_RUN.search(text):
        return _run_tokens(text, is_ar=False)
    words: list[str] = []
    for word in text.split():
        if _is_arabic(word) and _is_latin(word):  # "Mohamedالعلوي": split at the script change
            words.extend(_SCRIPT_BOUNDARY.sub(" ", word).split())
        else:
            words.append(word)
    # Runs of words of one script, in order: particles and compounds work within a run.
    tokens: list[Token] = []
    run: list[str] = []
    run_is_ar = False
    for word in words:
        is_ar = _is_arabic(word)
        if run and is_ar != run_is_ar:
            tokens.extend(_run_tokens(" ".join(run), is_ar=run_is_ar))
            run = []
        run.append(word)
        run_is_ar = is_ar
    tokens.extend(_run_tokens(" ".join(run), is_ar=run_is_ar))
    return tokens


def _run_tokens(text: str, *, is_ar: bool) -> list[Token]:
    if is_ar:
        return [("ar", _arabic_readings(w)) for w in normalize_arabic(text).split()]
    # Readings come from the words before normalisation: "Ezzahra" shows its fused article
    # by the doubled z that normalisation collapses.
    return [("lat", _latin_readings(w)) for w in _latin_words(text)]


# Longer input (a pasted sentence in the search box) is cut: real names have 2 to 5 tokens,
# and the token assignment is exhaustive.
MAX_TOKENS = 8


@lru_cache(maxsize=65536)
def _name(*fields: str) -> Name:
    tokens: list[Token] = []
    for field in fields:
        tokens.extend(_field_tokens(field))
    return tuple(t for t in tokens if t[1][0])[:MAX_TOKENS]


# --------------------------------------------------------------------------------------
# Token similarity: weighted Levenshtein over symbols
# --------------------------------------------------------------------------------------

_CONSONANTS = "btdjhklmnrszfwySXGg@"
_ALL = (*_CONSONANTS, "A", "I", "U", "E", "H", "Y", "V", "3", _SOFT_H)


def _build_substitution() -> dict[str, dict[str, float]]:
    near = {
        # vowel / glide / Arabic-ending agreements
        ("A", "E"): 0.05, ("I", "E"): 0.05, ("U", "E"): 0.05,
        ("A", "I"): 0.7, ("A", "U"): 0.7, ("I", "U"): 0.7,
        ("U", "w"): 0.1, ("I", "y"): 0.1,
        ("H", "A"): 0.0, ("H", "h"): 0.0, ("H", "E"): 0.1, ("H", "I"): 0.6, ("H", "U"): 0.6,
        ("H", "Y"): 0.5,
        ("Y", "I"): 0.0, ("Y", "y"): 0.0, ("Y", "A"): 0.1, ("Y", "E"): 0.1, ("Y", "U"): 0.6,
        ("E", "y"): 0.5, ("E", "w"): 0.5,
        # Arabic initial alef (V) and ع (3): vowel carriers that Latin writes as a vowel
        ("V", "A"): 0.05, ("V", "I"): 0.05, ("V", "U"): 0.05, ("V", "E"): 0.05,
        (_SOFT_H, "H"): 0.0, (_SOFT_H, "h"): 0.0, (_SOFT_H, "A"): 0.2,
        ("3", "A"): 0.05, ("3", "E"): 0.05, ("3", "I"): 0.15, ("3", "U"): 0.15, ("3", "V"): 0.8,
        # consonants that transliteration or dialect confuse
        ("G", "r"): 0.5, ("G", "g"): 0.4, ("g", "k"): 0.4, ("g", "j"): 0.4,
        ("X", "h"): 0.5, ("X", "k"): 0.5, ("s", "S"): 0.5, ("s", "z"): 0.6,
    }  # fmt: skip
    table: dict[str, dict[str, float]] = {a: {} for a in _ALL}
    for a in _ALL:
        for b in _ALL:
            table[a][b] = 0.0 if a == b else near.get((a, b), near.get((b, a), 1.0))
    return table


_SUB = _build_substitution()
_WEIGHT = dict.fromkeys(_CONSONANTS, 1.0) | {
    "w": 0.8,
    "y": 0.8,
    "@": 0.3,
    "A": 0.25,
    "I": 0.25,
    "U": 0.25,
    "E": 0.2,
    "H": 0.6,
    "Y": 0.5,
    "V": 0.3,
    "3": 0.5,
    _SOFT_H: 0.2,
}


# Cost of leaving a symbol unmatched, when nothing below says otherwise.
_INDEL = dict.fromkeys(_CONSONANTS, 1.0) | {
    "@": 1.5,  # Abdelkader is not Kader
    "w": 0.6,
    "y": 0.6,
    "E": 0.1,
    _SOFT_H: 0.2,
    "H": 1.0,  # the ة of Karima against Karim
    "Y": 0.7,
}
# A Latin vowel that Arabic might not write, between two consonants (Mohamed = محمد); at the
# start (Amina ≠ منى) or as an i/u next to another vowel, it stands for a letter Arabic
# writes (Said = سعيد, not سعد).
_LATIN_SHORT_VOWEL_FACING_ARABIC = 0.08
_LATIN_WRITTEN_VOWEL_FACING_ARABIC = 0.4
# Latin against Latin: Mhamed/Mohamed, Brahim/Ibrahim drop an a or o more than an i.
_LATIN_VOWEL = {"A": 0.3, "U": 0.45, "I": 0.5}
_LATIN_INITIAL_VOWEL = 0.3


def _vowel_indel(symbols: Symbols, k: int, own: str, other: str) -> float:
    s = symbols[k]
    if own == "ar":
        # A written long vowel: حسن ≠ حسين, محمد ≠ محمود; a missing alef is more often a
        # spelling variant (الرحمن / الرحمان), and Latin may fold a long vowel into its
        # neighbour (Ismael = إسماعيل).
        return 0.5 if other == "lat" or s == "A" else 0.9
    if other == "ar":
        paired = (k > 0 and symbols[k - 1] in _STRONG_VOWELS) or (
            k + 1 < len(symbols) and symbols[k + 1] in _STRONG_VOWELS
        )
        if k == 0 or (paired and s != "A"):
            return _LATIN_WRITTEN_VOWEL_FACING_ARABIC
        return _LATIN_SHORT_VOWEL_FACING_ARABIC
    return _LATIN_INITIAL_VOWEL if k == 0 else _LATIN_VOWEL[s]


def _indel_costs(symbols: Symbols, own: str, other: str) -> tuple[float, ...]:
    """Cost of leaving each symbol of a token in script `own` unmatched against a token in
    script `other`."""
    last = len(symbols) - 1
    if last > 0 and symbols[last] == _SOFT_H:  # Aminah ends in its a, like Amina
        last -= 1
    costs = []
    for k, s in enumerate(symbols):
        if s in _STRONG_VOWELS:
            # A final vowel is the feminine ending or the nisba: Karima ≠ Karim.
            cost = 1.0 if k == last and k > 0 else _vowel_indel(symbols, k, own, other)
        elif s == "V":  # Arabic initial alef: Driss = إدريس
            cost = 0.3 if other == "lat" else 0.6
        elif s == "3":  # ع: Latin often writes nothing for it
            cost = 0.15 if other == "lat" else 1.0
        else:
            cost = _INDEL[s]
        costs.append(cost)
    return tuple(costs)


def _distance(a: Symbols, b: Symbols, del_a: tuple[float, ...], del_b: tuple[float, ...]) -> float:
    previous = [0.0]
    for cost in del_b:
        previous.append(previous[-1] + cost)
    for i, sa in enumerate(a):
        row = _SUB[sa]
        da = del_a[i]
        current = [previous[0] + da]
        for j, sb in enumerate(b):
            current.append(min(previous[j + 1] + da, current[j] + del_b[j], previous[j] + row[sb]))
        previous = current
    return previous[-1]


@lru_cache(maxsize=262144)
def _symbols_similarity(a: Symbols, script_a: str, b: Symbols, script_b: str) -> float:
    if (b, script_b) < (a, script_a):  # one argument order: exact symmetry of the floats
        a, script_a, b, script_b = b, script_b, a, script_a
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    distance = _distance(
        a, b, _indel_costs(a, script_a, script_b), _indel_costs(b, script_b, script_a)
    )
    length = max(sum(_WEIGHT[s] for s in a), sum(_WEIGHT[s] for s in b))
    return max(0.0, 1.0 - distance / length)


def _token_similarity(a: Token, b: Token) -> float:
    best = 0.0
    for ra in a[1]:
        for rb in b[1]:
            sim = _symbols_similarity(ra, a[0], rb, b[0])
            if sim > best:
                best = sim
                if best == 1.0:
                    return best
    return best


# --------------------------------------------------------------------------------------
# Name similarity: assignment of tokens
# --------------------------------------------------------------------------------------


def _harmonic(values: list[float]) -> float:
    if not values or min(values) <= 0.0:
        return 0.0
    return len(values) / sum(1.0 / v for v in values)


def _best_assignment(short: Name, long: Name) -> list[float]:
    """The matched similarities of the assignment of each token of `short` to a distinct
    token of `long` with the best harmonic mean (exhaustive up to 6 tokens, then greedy)."""
    matrix = [[_token_similarity(a, b) for b in long] for a in short]
    n, m = len(short), len(long)
    if m <= 6:
        best: list[float] = []
        best_score = -1.0
        for chosen in itertools.permutations(range(m), n):
            sims = [matrix[i][j] for i, j in enumerate(chosen)]
            score = _harmonic(sims)
            if score > best_score:
                best, best_score = sims, score
        return best
    pairs = sorted(((matrix[i][j], i, j) for i in range(n) for j in range(m)), reverse=True)
    used_i: set[int] = set()
    used_j: set[int] = set()
    sims = []
    for sim, i, j in pairs:
        if i not in used_i and j not in used_j:
            used_i.add(i)
            used_j.add(j)
            sims.append(sim)
    return sims


def _merge(tokens: Name) -> Token:
    script = "ar" if all(t[0] == "ar" for t in tokens) else "lat"
    joined: list[str] = []
    for t in tokens:
        joined.extend(t[1][0])
    return (script, (_tidy(joined),))


def _merged_forms(tokens: Name, groups: int) -> list[Name]:
    """Every way of merging adjacent tokens into `groups` tokens (Fatima Zahra = Fatimazahra)."""
    forms = []
    for cuts in itertools.combinations(range(1, len(tokens)), groups - 1):
        bounds = (0, *cuts, len(tokens))
        forms.append(
            tuple(
                tokens[s] if e - s == 1 else _merge(tokens[s:e])
                for s, e in itertools.pairwise(bounds)
            )
        )
    return forms


@lru_cache(maxsize=65536)
def _names_similarity(a: Name, b: Name) -> float:
    if not a or not b:
        return 0.0
    if (len(b), b) < (len(a), a):
        a, b = b, a
    n, m = len(a), len(b)
    coverage = math.sqrt(2 * n / (n + m))
    best = _harmonic(_best_assignment(a, b)) * coverage
    if n < m and m <= 6:
        for merged in _merged_forms(b, n):
            best = max(best, _harmonic(_best_assignment(a, merged)))
    return round(min(1.0, best), 6)


def name_similarity(a: str, b: str) -> float:
    """Similarity in [0, 1] of two full names, each in Arabic script, Latin script or both.

    Tokens are matched one to one whatever their order (a swapped first and family name
    still matches); adjacent tokens may merge ("Fatima Zahra" = "Fatimazahra",
    "Nour Eddine" = "Noureddine"). The score is the harmonic mean of the matched token
    similarities, so that one different token ("Mohamed Alaoui" / "Mohamed Tazi") keeps the
    name below a match, times sqrt(2k / (n + m)) when k of the n + m tokens are matched.
    Symmetric; 1.0 for the same name; 0.0 when either side has no letter.
    """
    return _names_similarity(_name(a), _name(b))


# --------------------------------------------------------------------------------------
# Identity matching
# --------------------------------------------------------------------------------------

# `code:sex`; any other value (blank, "unknown") counts as not known.
KNOWN_SEXES = frozenset({"male", "female"})


@dataclass(frozen=True, slots=True)
class ChildIdentity:
    """What the search before create compares: names in both scripts and a few facts.

    Empty strings and None mean "not known"; `sex` takes the `code:sex` values, anything but
    "male" or "female" counting as not known. `birth_year_estimated` is true when the year
    comes from an estimated age (`circuit.md` §8.1).
    """

    first_name_ar: str = ""
    last_name_ar: str = ""
    first_name_lat: str = ""
    last_name_lat: str = ""
    sex: str = "unknown"
    birth_year: int | None = None
    birth_year_estimated: bool = False
    mother_name: str = ""
    province_code: str = ""


def _identity_names(identity: ChildIdentity) -> tuple[Name, ...]:
    """The full name read in each script; a field missing in one script is taken from the
    other, so that an Arabic first name and a Latin family name still make one name."""
    first = (identity.first_name_ar, identity.first_name_lat)
    last = (identity.last_name_ar, identity.last_name_lat)
    names = []
    for k in (0, 1):
        f = first[k] if first[k].strip() else first[1 - k]
        la = last[k] if last[k].strip() else last[1 - k]
        name = _name(f, la)
        if name and name not in names:
            names.append(name)
    return tuple(names)


# Weights of match_score (see its docstring).
YEAR_SAME = 0.05
YEAR_CLOSE_ESTIMATED = 0.02
YEAR_OFF_BY_ONE_EXACT = -0.05
YEAR_FAR = -0.35
SEX_DIFFERENT = -0.40
MOTHER_SAME = 0.08
MOTHER_DIFFERENT = -0.05
PROVINCE_SAME = 0.02
MOTHER_SAME_AT = 0.85
MOTHER_DIFFERENT_BELOW = 0.5


def _year_adjustment(query: ChildIdentity, candidate: ChildIdentity) -> float:
    if query.birth_year is None or candidate.birth_year is None:
        return 0.0
    gap = abs(query.birth_year - candidate.birth_year)
    estimates = query.birth_year_estimated + candidate.birth_year_estimated
    if gap == 0:
        return YEAR_SAME
    if estimates and gap <= 2:
        return YEAR_CLOSE_ESTIMATED
    if estimates == 2 and gap <= 4:  # two estimates, each ±2 around the true year
        return 0.0
    if not estimates and gap == 1:
        return YEAR_OFF_BY_ONE_EXACT
    return YEAR_FAR


def match_score(query: ChildIdentity, candidate: ChildIdentity) -> float:
    """How likely `candidate` is the child described by `query`, in [0, 1].

    Names dominate: the base is the best `name_similarity` over the readings of the two
    full names (Arabic↔Arabic, Latin↔Latin, Arabic↔Latin, Latin↔Arabic; a name missing on
    either side gives 0). Then, added and clamped to [0, 1]:

    ====================================================  =======
    birth years equal                                       +0.05
    within ±2 years, either year estimated (§8.1)           +0.02
    3 or 4 years apart, both years estimated                 0
    one year apart, both years exact                        -0.05
    further apart                                           -0.35
    both sexes known and different                          -0.40
    mothers' names both given, similarity ≥ 0.85            +0.08
    mothers' names both given, similarity < 0.5             -0.05
    same province                                           +0.02
    ====================================================  =======

    An unknown value (no year, sex "unknown", no mother's name, no province) neither adds
    nor removes. So identical names alone score 1.0, a name at 0.80 with the same year,
    mother and province reaches 0.95, and the right name with the other sex falls to 0.60.
    Symmetric in its two arguments.
    """
    names_q = _identity_names(query)
    names_c = _identity_names(candidate)
    score = max(
        (_names_similarity(a, b) for a in names_q for b in names_c),
        default=0.0,
    )
    score += _year_adjustment(query, candidate)
    if query.sex != candidate.sex and {query.sex, candidate.sex} <= KNOWN_SEXES:
        score += SEX_DIFFERENT
    if query.mother_name.strip() and candidate.mother_name.strip():
        mother = name_similarity(query.mother_name, candidate.mother_name)
        if mother >= MOTHER_SAME_AT:
            score += MOTHER_SAME
        elif mother < MOTHER_DIFFERENT_BELOW:
            score += MOTHER_DIFFERENT
    if query.province_code and query.province_code == candidate.province_code:
        score += PROVINCE_SAME
    return round(min(1.0, max(0.0, score)), 4)


def _token_keys(token: Token) -> set[str]:
    keys = set()
    for reading in token[1]:
        skeleton = _skeleton(reading)
        if skeleton:
            keys.add(skeleton)
            if reading[-1] == "H":  # طه = Taha: the final ه may be a consonant
                keys.add(skeleton + "h")
    return keys


def search_keys(identity: ChildIdentity, *, query: bool = False) -> set[str]:
    """The keys to store in an indexed column (one row per key) for candidate retrieval.

    ``n:<skeleton>`` for every name token of both scripts and every reading of it (so that
    "Benali" is also stored under ``n:l`` for "Ben Ali"), and ``y:<year>`` for the birth
    year. With ``query=True`` the year keys span ±2 years (estimated ages, §8.1).

    Retrieval: the children sharing at least one ``n:`` key with the query (or, for a
    tighter list when the query has two names or more, two ``n:`` keys; optionally narrowed
    by a ``y:`` key when the query has a year), then ranked by `match_score`.
    Spelling and script variants share their skeleton, so they meet in the index; a
    consonant typo does not (see the weaknesses in the report).
    """
    keys = set()
    for name in _identity_names(identity):
        for token in name:
            keys.update(f"n:{k}" for k in _token_keys(token))
    if identity.birth_year is not None:
        spread = 2 if query else 0
        for year in range(identity.birth_year - spread, identity.birth_year + spread + 1):
            keys.add(f"y:{year}")
    return keys
