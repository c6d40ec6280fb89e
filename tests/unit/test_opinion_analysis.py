"""workflows/opinion_days/analysis.py: the simple Korean keyword rule and the theme grouping, on a
fixed set of 50 opinions written for this test (topic: "우리 동네 생활환경, 무엇부터 바꿀까요?")."""

from __future__ import annotations

import json
import random

import pytest

from workflows.opinion_days.analysis import Opinion, Rules, analyse, keyword, keywords
from workflows.opinion_days.service import DATA_PATH

RULES = Rules.from_json(json.loads(DATA_PATH.read_text(encoding="utf-8"))["analysis"])

# 12 about parking, 9 rubbish, 8 dark streets (lights, CCTV), 7 children and playgrounds,
# 6 buses, 4 older residents, 4 other things; each written by a different resident.
OPINIONS = [
    # 주차
    "저녁마다 골목에 불법주차 차량이 많아서 소방차가 못 들어갈까 걱정됩니다.",
    "자양동 주택가에 공영주차장을 더 만들어 주세요. 퇴근 후에 주차할 곳이 없어요.",
    "거주자우선 주차구역 배정이 너무 오래 걸립니다. 주차 신청 절차를 간소화해 주세요.",
    "학교 앞 불법주차 때문에 아이들이 차 사이로 뛰어나와 위험합니다.",
    "주차장이 부족해서 이중주차가 일상이에요. 주차 공유 제도를 늘려 주세요.",
    "교회나 상가 주차장을 평일 밤에 주민에게 개방하면 좋겠습니다.",
    "구의역 주변 공영주차장 요금이 너무 비쌉니다.",
    "주말마다 공원 앞 도로에 주차 차량이 줄지어 서 있어서 통행이 어렵습니다.",
    "불법주차 단속 CCTV를 골목 입구에 설치해 주세요.",
    "주차 공간이 없어서 집 앞에 차를 대면 과태료가 나옵니다. 주차 대책이 필요합니다.",
    "화양동 먹자골목 주차 문제 해결해 주세요. 밤마다 경적 소리에 잠을 못 잡니다.",
    "신축 빌라마다 주차장이 턱없이 모자랍니다.",
    # 쓰레기
    "분리수거 날짜를 몰라서 쓰레기를 잘못 내놓는 분들이 많아요. 안내문을 붙여 주세요.",
    "전봇대 밑에 쓰레기가 매일 쌓여 있습니다. 쓰레기 무단투기 단속을 해 주세요.",
    "음식물 쓰레기 수거함이 여름에 냄새가 심합니다.",
    "재활용 쓰레기 수거를 일주일에 두 번으로 늘려 주세요.",
    "원룸 앞 쓰레기 배출 장소가 항상 지저분합니다.",
    "공원 쓰레기통이 너무 작아서 주말이면 넘칩니다.",
    "대형폐기물 스티커를 온라인으로 쉽게 살 수 있게 해 주세요. 쓰레기 버리기가 번거롭습니다.",
    "쓰레기 무단투기 신고 포상금을 올리면 좋겠습니다.",
    "골목 쓰레기 때문에 고양이들이 봉투를 뜯어 놓아요.",
    # 밤길 안전 (조명, CCTV)
    "밤에 귀갓길 골목이 너무 어두워요. 가로등을 더 밝게 해 주세요.",
    "여성 1인 가구가 많은 동네인데 방범 CCTV가 부족합니다.",
    "능동 주택가 보안등이 자주 고장 납니다. 조명 점검을 자주 해 주세요.",
    "공원 산책로에 조명이 없어서 저녁에는 무섭습니다.",
    "안심귀갓길 표시만 있고 CCTV는 없는 곳이 많아요.",
    "지하철역에서 집까지 가는 길에 가로등이 꺼진 곳이 여러 군데 있습니다.",
    "CCTV 비상벨이 실제로 작동하는지 점검해 주세요.",
    "어두운 골목에 LED 조명을 달아 주세요.",
    # 어린이·놀이터
    "놀이터 바닥 고무매트가 찢어져서 아이들이 넘어집니다.",
    "어린이 놀이터에 그늘막이 없어서 여름에 놀 수가 없어요.",
    "아이들이 비 오는 날에도 놀 수 있는 실내 놀이터가 있으면 좋겠어요.",
    "어린이집 앞 횡단보도에 신호등을 설치해 주세요.",
    "놀이터 옆에서 담배 피우는 사람이 많습니다. 놀이터 금연 단속을 해 주세요.",
    "초등학생 방과후 돌봄 교실이 부족해서 맞벌이 가정이 힘듭니다.",
    "동네 놀이터가 낡아서 어린이들이 다칠까 걱정입니다.",
    # 버스·교통
    "마을버스 배차 간격이 너무 깁니다. 출근 시간에는 20분을 기다려요.",
    "버스정류장에 온열 의자와 바람막이를 설치해 주세요.",
    "버스 노선이 구청까지 바로 가지 않아서 두 번 갈아타야 합니다.",
    "정류장에 버스 도착 안내 전광판이 없어요.",
    "심야에 운행하는 버스가 있었으면 좋겠습니다.",
    "광장동에서 건대입구역까지 가는 마을버스를 늘려 주세요.",
    # 노인
    "경로당 냉난방기가 오래되어 여름에 덥습니다.",
    "어르신들이 쉴 수 있는 벤치가 언덕길에 있었으면 합니다.",
    "노인 일자리 사업을 늘려 주세요.",
    "혼자 사시는 어르신 안부 확인 서비스를 확대해 주세요.",
    # 기타
    "도서관 운영 시간을 밤 10시까지 연장해 주세요.",
    "반려견 놀이터를 한강공원 근처에 만들어 주세요.",
    "구청 홈페이지에서 민원 처리 결과를 보기 어렵습니다.",
    "동네 체육관 프로그램 신청이 너무 빨리 마감됩니다.",
]


def _opinions(texts=OPINIONS, users=None) -> list[Opinion]:
    return [Opinion(i + 1, (users or {}).get(i, 1000 + i), text) for i, text in enumerate(texts)]


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("놀이터에서는", "놀이터"),  # longest particle first
        ("주차장이", "주차"),  # particle, then a synonym
        ("어르신들이", "노인"),  # particle, plural 들, synonym
        ("문제입니다", None),  # copula cut, then a stopword
        ("카페예요", "카페"),  # copula
        ("좋겠습니다", None),  # predicate
        ("불편해요", None),
        ("만들어", None),
        ("도로", "도로"),  # only one syllable would remain: stays whole
        ("결과", "결과"),
        ("밤에", None),  # one-syllable noun with a particle
        ("번으로", None),
        ("횡단보도", "횡단보도"),  # keep: would lose its 도
        ("마을", "마을"),
        ("cctv", "CCTV"),
        ("10", None),
        ("설치", None),  # a stopword in every theme
    ],
)
def test_keyword_rule(token, expected):
    assert keyword(token, RULES) == expected


def test_keywords_of_a_sentence():
    assert keywords("불법주차 단속 CCTV를 골목 입구에 설치해 주세요.", RULES) == [
        "주차",
        "단속",
        "CCTV",
        "골목",
        "입구",
    ]
    assert keywords("https://sample.example 주차, 주차장, 공영주차장!", RULES) == [
        "주차"
    ]  # once per opinion, URL dropped
    assert keywords("", RULES) == []


def test_fifty_opinions_top_themes_and_counts():
    assert len(OPINIONS) == 50
    a = analyse(_opinions(), rules=RULES)
    assert (a.participants, a.opinions, a.voters) == (50, 50, 0)
    assert [(th.keyword, len(th.opinion_ids), th.participants) for th in a.themes] == [
        ("주차", 12, 12),
        ("쓰레기", 9, 9),
        ("놀이터", 6, 6),
        ("버스", 6, 6),
        ("조명", 5, 5),
    ]
    assert a.other == 12 and sum(len(th.opinion_ids) for th in a.themes) + a.other == 50
    assert a.themes[0].related == ["골목", "차량"] and a.themes[1].related == ["무단투기"]
    assert a.themes[0].share == pytest.approx(0.24)
    # representative opinions: the most typical first, shortened to the data's length
    assert a.themes[0].examples[0].startswith("저녁마다 골목에 불법주차")
    assert a.themes[2].examples == [
        "놀이터 바닥 고무매트가 찢어져서 아이들이 넘어집니다.",
        "어린이 놀이터에 그늘막이 없어서 여름에 놀 수가 없어요.",
    ]
    assert all(len(ex) <= RULES.representative_chars for th in a.themes for ex in th.examples)
    # every opinion of a theme mentions its keyword
    for th in a.themes:
        assert all(th.keyword in keywords(OPINIONS[i - 1], RULES) for i in th.opinion_ids)
    assert {i for i, kw in a.theme_of.items() if kw == "버스"} == set(range(37, 43))


def test_more_themes_show_the_smaller_groups():
    import dataclasses

    a = analyse(_opinions(), rules=dataclasses.replace(RULES, top_themes=8))
    # then no keyword is shared by two of the opinions left: 7 themes, not 8
    assert [(th.keyword, len(th.opinion_ids)) for th in a.themes][5:] == [("노인", 4), ("CCTV", 3)]
    assert a.other == 5


def test_grouping_does_not_depend_on_the_order():
    shuffled = list(enumerate(OPINIONS))
    random.Random(7).shuffle(shuffled)
    a = analyse([Opinion(i + 1, 1000 + i, text) for i, text in shuffled], rules=RULES)
    b = analyse(_opinions(), rules=RULES)
    assert [(th.keyword, sorted(th.opinion_ids), th.examples) for th in a.themes] == [
        (th.keyword, sorted(th.opinion_ids), th.examples) for th in b.themes
    ]


def test_participants_poll_and_dong_share():
    users = {i: 2000 + i // 3 for i in range(50)}  # 17 people wrote 3, 3, ..., 2
    votes = {2000: [0], 2001: [1], 2002: [1], 2003: [], 3000: [2], 3001: [0, 2]}  # 3000, 3001 only voted
    dongs = {2000: "자양1동", 2001: "자양1동", 2002: "화양동", 3000: "화양동", 3001: None, 9999: "능동"}
    a = analyse(
        _opinions(users=users),
        rules=RULES,
        poll_options=["공유주차", "단속", "주차장 건립"],
        votes=votes,
        dong_of=dongs,
    )
    assert (a.participants, a.opinions, a.voters) == (19, 50, 5)  # 17 writers + 2 voters; an empty vote is none
    assert a.poll == [("공유주차", 2, 0.4), ("단속", 2, 0.4), ("주차장 건립", 2, 0.4)]
    assert a.dongs == [("자양1동", 2, 0.5), ("화양동", 2, 0.5)] and a.dong_unknown == 15
    assert a.themes[0].participants < len(a.themes[0].opinion_ids)  # one person, several opinions


def test_nothing_to_analyse():
    a = analyse([], rules=RULES, poll_options=["예", "아니요"])
    assert (a.participants, a.opinions, a.voters, a.themes, a.other) == (0, 0, 0, [], 0)
    assert a.poll == [("예", 0, 0.0), ("아니요", 0, 0.0)]
    one = analyse(_opinions(["주차 공간이 없어요."]), rules=RULES)
    assert one.themes == [] and one.other == 1  # a theme needs two opinions
