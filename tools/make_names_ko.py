#!/usr/bin/env python3
"""Writes the Korean name-tagging data (PER / LOC / O, one tag per token):

  assets/data/names-ko.jsonl                  training sentences
  assets/data/names-ko-valid.jsonl            validation sentences (none of them is in training)
  assets/data/names-ko-valid-ambiguous.jsonl  the validation sentences whose only names are
                                              진주, 경주, 영주, 상주, 성주 or 정선 with a particle
                                              that does not say which they are

진주, 경주, 영주, 상주, 성주 and 정선 are places in Korea and also given names. "진주는" opens
"진주는 웃으며 말했다" (a person) and "진주는 남강이 흐르는 도시다" (the city): the particle
은/는, 이/가, 의, 을/를, 도 or 와/과 does not tell them apart, and Korean puts the verb or
the noun that does at the end of the sentence. A tagger that reads forward only must tag the
name before it reaches that word. Particles that do tell (진주에, 진주에서, 진주에게) are in
the data too, with ordinary names (민수, 지영, ...) and places (부산, 전주, ...).

Deterministic, standard library only: the sentences come from templates filled with every
name, in groups (one sentence, or a person and a place that share the first words); which
groups are kept for training, and which of the rest go to validation, is decided by a SHA-256
of the group's template and names. A validation sentence has no word that training lacks.
Run from anywhere: python3 tools/make_names_ko.py (then tools/make_models.sh for the taggers)."""

import hashlib
import json
import os
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")

# --- names ---------------------------------------------------------------------------------

# Places that are also given names: (name, kind of place, province, what it is known for,
# sentences true of that place only).
AMBIGUOUS = [
    ("진주", "도시", "경상남도", ["냉면", "비빔밥"],
     ["남강이 흐르는 도시다", "진주성이 있는 도시다"]),
    ("경주", "도시", "경상북도", ["불국사", "첨성대"],
     ["천 년 동안 신라의 수도였다", "불국사와 석굴암이 있는 도시다"]),
    ("영주", "도시", "경상북도", ["부석사", "사과"],
     ["부석사가 있는 도시다", "소백산 아래에 있는 도시다"]),
    ("상주", "도시", "경상북도", ["곶감"],
     ["자전거를 많이 타는 도시다", "곶감이 유명한 도시다"]),
    ("성주", "고장", "경상북도", ["참외"],
     ["참외 농사를 많이 짓는 고장이다", "참외가 많이 나는 고장이다"]),
    ("정선", "고장", "강원도", ["아리랑"],
     ["산이 깊은 고장이다", "오일장이 서는 고장이다"]),
]
AMBIGUOUS_NAMES = [a[0] for a in AMBIGUOUS]

PEOPLE = ["민수", "지영", "서연", "현우", "수민", "하은", "도윤", "지호", "예린", "준호", "은지",
          "태민", "유나", "성민", "다은", "재훈"]

# Ordinary places: (name, kind, province or None, known for, sentences true of it).
PLACES = [
    ("부산", "도시", None, ["해운대", "돼지국밥"], ["바다가 있는 큰 도시다"]),
    ("대구", "도시", None, ["막창"], ["여름에 아주 더운 도시다"]),
    ("전주", "도시", None, ["비빔밥", "한옥마을"], ["한옥마을이 있는 도시다"]),
    ("춘천", "도시", "강원도", ["닭갈비"], ["호수가 많은 도시다"]),
    ("강릉", "도시", "강원도", ["커피"], ["바다가 가까운 도시다"]),
    ("목포", "도시", "전라남도", ["낙지"], ["항구가 있는 도시다"]),
    ("여수", "도시", "전라남도", ["밤바다"], ["밤바다가 아름다운 도시다"]),
    ("안동", "도시", "경상북도", ["하회마을", "찜닭"], ["하회마을이 있는 도시다"]),
    ("통영", "도시", "경상남도", ["굴"], ["섬이 많은 도시다"]),
    ("포항", "도시", "경상북도", ["과메기"], ["바다를 낀 도시다"]),
    ("제주", "섬", None, ["귤"], ["바람이 많은 섬이다"]),
]

# Other place names that appear inside sentences: tagged LOC wherever they appear.
LOC_WORDS = {"경상남도", "경상북도", "강원도", "전라남도", "서울", "남강", "소백산", "진주성",
             "불국사", "첨성대", "석굴암", "부석사", "신라", "해운대", "한옥마을", "하회마을"}

# --- Korean particles ----------------------------------------------------------------------


def final_consonant(word):
    """The final consonant index of the last syllable (0: none, 8: ㄹ)."""
    code = ord(word[-1]) - 0xAC00
    return code % 28 if 0 <= code < 11172 else 0


def attach(word, particle):
    """word + particle, with the particle's form chosen by the final consonant."""
    fc = final_consonant(word)
    forms = {"은": ("은", "는"), "이": ("이", "가"), "을": ("을", "를"), "과": ("과", "와"),
             "이다": ("이다", "다"), "이었다": ("이었다", "였다")}
    if particle in forms:
        return word + forms[particle][0 if fc else 1]
    if particle == "으로":
        return word + ("으로" if fc and fc != 8 else "로")
    return word + particle


# --- templates -----------------------------------------------------------------------------
# A template is a string of tokens separated by spaces. {X:p} is the name with particle p,
# {Y:p} a second name, {K:p} the kind of place (도시, 고장, 섬), {P} its province, {S:p} what
# it is known for, {F} one of its own sentences, {J:p} a job.

# The same words up to the end, then a person or a place: the pair's last word decides.
# Each modifier with the jobs it goes with naturally.
MODIFIERS = [("조용한", ["학생", "화가", "작가"]),
             ("아름다운", ["배우", "가수"]),
             ("내가 제일 좋아하는", ["가수", "배우", "작가", "선생님"]),
             ("사람들이 많이 찾는", ["의사", "요리사"]),
             ("유명한", ["화가", "가수", "요리사", "작가"]),
             ("우리 엄마가 좋아하는", ["배우", "가수"]),
             ("요즘 인기가 많은", ["가수", "배우", "요리사"])]
PAIRS = [  # (person, place)
    ("{X:은} {M} {J:이다} .", "{X:은} {M} {K:이다} ."),
    ("{X:이} 내 짝꿍이다 .", "{X:이} 내 고향이다 ."),
    ("{X:이} 반장으로 뽑혔다 .", "{X:이} 살기 좋은 {K:으로} 뽑혔다 ."),
    ("{X:이} 이번 대회의 마지막 선수였다 .", "{X:이} 이번 여행의 마지막 목적지였다 ."),
    ("나는 어제 {X:을} 만났다 .", "나는 어제 {X:을} 다녀왔다 ."),
    ("우리는 {X:을} 한 시간이나 기다렸다 .", "우리는 {X:을} 하루 종일 둘러보았다 ."),
    ("{X:도} 그 영화를 좋아한다 .", "{X:도} 봄이면 벚꽃이 아름답다 ."),
    ("{X:의} 목소리는 맑고 곱다 .", "{X:의} 골목길은 좁고 조용하다 ."),
    ("{X:은} 요리 솜씨로 유명하다 .", "{X:은} {S:으로} 유명하다 ."),
]

PERSON = [  # a person: the later words say so
    "{X:은} 웃으며 말했다 .",
    "{X:은} 우리 반에서 키가 제일 크다 .",
    "{X:은} 동생과 함께 학교에 갔다 .",
    "{X:은} 요즘 피아노를 배운다 .",
    "{X:은} 어제 감기에 걸렸다 .",
    "{X:은} 내 가장 친한 친구다 .",
    "{X:은} 아침마다 공원에서 달린다 .",
    "{X:은} 수학 시험에서 백 점을 받았다 .",
    "{X:은} 고양이 두 마리를 키운다 .",
    "{X:은} 올해 대학생이 되었다 .",
    "{X:은} 매일 밤 일기를 쓴다 .",
    "{X:이} 노래를 불렀다 .",
    "{X:이} 엄마에게 전화를 걸었다 .",
    "{X:이} 할머니께 편지를 썼다 .",
    "{X:이} 문을 열고 들어왔다 .",
    "{X:이} 어제 우리 집에 놀러 왔다 .",
    "{X:의} 꿈은 의사가 되는 것이다 .",
    "{X:의} 동생은 초등학생이다 .",
    "{X:의} 생일은 다음 주 월요일이다 .",
    "{X:도} 내일 소풍을 간다 .",
    "{X:과} 나는 같은 반이다 .",
    "모두가 {X:을} 칭찬했다 .",
    "선생님이 {X:을} 불렀다 .",
    "{X:과} {Y:은} 초등학교 때부터 친구다 .",
]

PLACE = [  # a place: the later words say so
    "{X:은} 역사가 깊은 {K:이다} .",
    "{X:은} 관광객이 많이 찾는 {K:이다} .",
    "{X:은} {P}에 있는 {K:이다} .",
    "{X:은} {F} .",
    "{X:이} 여기서 제일 가까운 {K:이다} .",
    "{X:의} 명물은 {S:이다} .",
    "{X:의} 밤거리는 무척 아름답다 .",
    "{X:의} 인구는 서울보다 훨씬 적다 .",
    "{X:도} 역사가 깊은 {K:이다} .",
    "우리 가족은 지난 여름에 {X:을} 여행했다 .",
    "{X:과} {Y:은} 둘 다 역사가 깊은 곳이다 .",
]

# The particle says it: 에, 에서, 까지 a place; 에게, 한테서 a person.
PARTICLE = [
    ("{Y:은} {X:에} 산다 .", "PER", "LOC"),
    ("{Y:은} {X:에서} 태어났다 .", "PER", "LOC"),
    ("우리는 {X:에서} 하룻밤을 묵었다 .", None, "LOC"),
    ("우리는 저녁 늦게 {X:에} 도착했다 .", None, "LOC"),
    ("삼촌은 {X:에서} 과수원을 한다 .", None, "LOC"),
    ("다음 달에 {X:으로} 이사를 간다 .", None, "LOC"),
    ("서울에서 {X:까지} 버스를 타고 갔다 .", None, "LOC"),
    ("나는 {X:에게} 책을 빌려주었다 .", None, "PER"),
    ("어제 {X:한테서} 전화가 왔다 .", None, "PER"),
    ("우리는 {X:에게} 생일 선물을 주었다 .", None, "PER"),
    ("선생님이 {X:에게} 상을 주셨다 .", None, "PER"),
    ("나는 {X:한테} 비밀을 털어놓았다 .", None, "PER"),
    ("엄마가 {X:에게} 심부름을 시켰다 .", None, "PER"),
]
SIGHTS = [("진주", "진주성"), ("경주", "첨성대"), ("경주", "불국사"), ("영주", "부석사"),
          ("안동", "하회마을"), ("전주", "한옥마을"), ("부산", "해운대")]

NO_NAMES = [
    "오늘은 날씨가 맑다 .", "버스가 늦게 왔다 .", "선생님은 정말 친절하다 .",
    "우리는 내일 소풍을 간다 .", "엄마가 저녁을 차리셨다 .", "창밖에 비가 내린다 .",
    "동생은 아직 자고 있다 .", "나는 어제 영화를 보았다 .", "할머니는 시장에 가셨다 .",
    "친구가 내게 편지를 썼다 .", "우리 반은 오늘 소풍을 갔다 .", "봄이면 벚꽃이 아름답다 .",
]

# --- filling -------------------------------------------------------------------------------


def digest(text):
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest(), 16)


def fill(template, x, x_tag, y=None, y_tag=None, place=None, modifier=None, job=None,
         fact=None, spec=None):
    """(tokens, tags) of one template."""
    tokens, tags = [], []
    for part in template.split(" "):
        if part.startswith("{") and part.endswith("}"):
            slot, _, particle = part[1:-1].partition(":")
            if slot == "M":
                for w in modifier.split(" "):
                    tokens.append(w), tags.append("O")
                continue
            if slot == "F":
                for w in fact.split(" "):
                    tokens.append(w), tags.append("LOC" if is_place_word(w) else "O")
                continue
            word, tag = {"X": (x, x_tag), "Y": (y, y_tag), "K": (place and place[1], "O"),
                         "P": (place and place[2], "LOC"), "S": (spec, "O"),
                         "J": (job, "O")}[slot]
            if slot == "S" and spec in LOC_WORDS:
                tag = "LOC"
            tokens.append(attach(word, particle) if particle else word), tags.append(tag)
        elif "{P}" in part:
            tokens.append(part.replace("{P}", place[2])), tags.append("LOC")
        else:
            tokens.append(part), tags.append("LOC" if is_place_word(part) else "O")
    return tokens, tags


def is_place_word(word):
    """서울에서, 남강이, ...: one of LOC_WORDS with its particle."""
    return any(word.startswith(name) for name in LOC_WORDS)


def sentences():
    """Every sentence as (group, tokens, tags): a group is one sentence or a pair that must
    go to the same side of the split."""
    out = []

    def add(group, tokens, tags):
        out.append((group, tokens, tags))

    def name_info(name):
        for p in AMBIGUOUS + PLACES:
            if p[0] == name:
                return p
        return None

    # Pairs: every ambiguous name both ways; ordinary names and places the one way they can.
    for i, (per_t, loc_t) in enumerate(PAIRS):
        for name in AMBIGUOUS_NAMES + PEOPLE + [p[0] for p in PLACES]:
            place = name_info(name)
            mods = MODIFIERS if "{M}" in per_t else [(None, [None])]
            for m, jobs in mods:
                if m == "조용한" and name in ("부산", "대구", "제주"):
                    continue  # big cities, an island full of visitors
                if name == "제주" and "{X:도}" in per_t:
                    continue  # 제주도 is the island's own name
                group = "pair %d %s %s" % (i, name, m)
                job = jobs[digest(group) % len(jobs)]
                specs = place[3] if place else [None]
                spec = specs[digest(group + "s") % len(specs)] if place else None
                if name in AMBIGUOUS_NAMES or name in PEOPLE:
                    add(group, *fill(per_t, name, "PER", modifier=m, job=job))
                if place:
                    # popular: a place people visit (관광지) rather than a city
                    kind = "관광지" if m == "요즘 인기가 많은" else place[1]
                    add(group, *fill(loc_t, name, "LOC", place=(name, kind) + place[2:],
                                     modifier=m, spec=spec))

    others = [n for n in AMBIGUOUS_NAMES + PEOPLE]
    for i, t in enumerate(PERSON):
        for name in AMBIGUOUS_NAMES + PEOPLE:
            y = None
            if "{Y" in t:
                y = others[digest("y %d %s" % (i, name)) % len(others)]
                if y == name:
                    continue
            add("person %d %s" % (i, name), *fill(t, name, "PER", y=y, y_tag="PER"))

    places = AMBIGUOUS + PLACES
    for i, t in enumerate(PLACE):
        for place in places:
            if "{P}" in t and not place[2] or "{X:도}" in t and place[0] == "제주":
                continue
            for k, fact in enumerate(place[4] if "{F}" in t else [None]):
                y = None
                if "{Y" in t:
                    y = places[digest("y %d %s" % (i, place[0])) % len(places)][0]
                    if y == place[0]:
                        continue
                spec = place[3][digest("s %d %s" % (i, place[0])) % len(place[3])]
                add("place %d %s %d" % (i, place[0], k),
                    *fill(t, place[0], "LOC", y=y, y_tag="LOC", place=place, fact=fact,
                          spec=spec))

    for i, (t, y_tag, x_tag) in enumerate(PARTICLE):
        names = [p[0] for p in places] if x_tag == "LOC" else AMBIGUOUS_NAMES + PEOPLE
        for name in names:
            if name == "제주" and "버스" in t:
                continue  # no bus to the island
            y = None
            if y_tag:
                y = others[digest("y %d %s" % (i, name)) % len(others)]
                if y == name:
                    continue
            add("particle %d %s" % (i, name), *fill(t, name, x_tag, y=y, y_tag=y_tag))
    for place, sight in SIGHTS:
        t = "{X:에} 가면 %s 볼 수 있다 ." % attach(sight, "을")
        add("sight %s %s" % (place, sight), *fill(t, place, "LOC"))

    for i, s in enumerate(NO_NAMES):
        tokens = s.split(" ")
        add("none %d" % i, tokens, ["O"] * len(tokens))
    return out


# --- choosing and splitting ----------------------------------------------------------------

AMBIGUOUS_PARTICLES = ("은", "는", "이", "가", "의", "을", "를", "도", "과", "와")
DECIDING_PARTICLES = ("에", "에서", "까지", "로", "으로", "에게", "한테", "한테서")


def is_ambiguous_token(token):
    """진주는, 경주가, ...: one of the six names with a particle that does not decide."""
    return any(token == n + p for n in AMBIGUOUS_NAMES for p in AMBIGUOUS_PARTICLES)


def has_ambiguous_name(token):
    return any(token == n + p for n in AMBIGUOUS_NAMES
               for p in AMBIGUOUS_PARTICLES + DECIDING_PARTICLES)


def category(g, members):
    return g.split(" ")[0], is_ambiguous_group(members)


def is_ambiguous_group(members):
    return any(has_ambiguous_name(t) for tokens, _ in members for t in tokens)


# Training: the share of each kind of group kept (a pair of an ambiguous name is two
# sentences, one person and one place; its other sentences, about as many places as people).
TRAIN_SHARE = {("pair", True): 70, ("person", True): 25, ("place", True): 55,
               ("pair", False): 10, ("person", False): 6, ("place", False): 22,
               ("particle", True): 60, ("particle", False): 10}
# Validation: how many groups of each kind, from those left out of training.
VALID_COUNT = {("pair", True): 18, ("person", True): 16, ("place", True): 16,
               ("pair", False): 12, ("person", False): 12, ("place", False): 12,
               ("particle", True): 8, ("particle", False): 8}


def split(all_sentences):
    """Training is a fixed sample of the groups, by hash. Validation comes from the groups
    left out, again by hash, among those whose words all occur in training."""
    groups = {}
    for g, tokens, tags in all_sentences:
        groups.setdefault(g, []).append((tokens, tags))
    order = sorted(groups, key=lambda g: digest("order " + g))
    train = [g for g in order
             if digest("keep " + g) % 100 < TRAIN_SHARE.get(category(g, groups[g]), 100)]
    vocab = {t for g in train for tokens, _ in groups[g] for t in tokens}
    taken, valid = set(train), []
    left = {}
    for g in order:
        if g in taken or any(t not in vocab for tokens, _ in groups[g] for t in tokens):
            continue
        c = category(g, groups[g])
        if left.setdefault(c, VALID_COUNT.get(c, 0)) > 0:
            left[c] -= 1
            valid.append(g)
    return groups, train, valid


def lines(kept, groups):
    """The groups' sentences as JSON lines, in a fixed shuffled order."""
    rows = [m for g in groups for m in kept[g]]
    rows.sort(key=lambda m: digest("line " + " ".join(m[0])))
    return [json.dumps({"tokens": t, "tags": tags}, ensure_ascii=False) for t, tags in rows]


def main():
    everything = sentences()
    seen = set()
    for _, tokens, _ in everything:
        s = " ".join(tokens)
        if s in seen:
            sys.exit("duplicate sentence: " + s)
        seen.add(s)
    kept, train, valid = split(everything)
    train_lines, valid_lines = lines(kept, train), lines(kept, valid)
    ambiguous_lines = [
        l for l in valid_lines
        if all(tag == "O" or is_ambiguous_token(tok)
               for tok, tag in zip(json.loads(l)["tokens"], json.loads(l)["tags"]))
        and any(is_ambiguous_token(t) for t in json.loads(l)["tokens"])]
    assert not set(train_lines) & set(valid_lines)
    data = os.path.join(ROOT, "assets", "data")
    for name, rows in (("names-ko.jsonl", train_lines), ("names-ko-valid.jsonl", valid_lines),
                       ("names-ko-valid-ambiguous.jsonl", ambiguous_lines)):
        with open(os.path.join(data, name), "w", encoding="utf-8") as f:
            f.write("".join(r + "\n" for r in rows))
        print("%-32s %4d sentences" % (name, len(rows)))


if __name__ == "__main__":
    main()
