"""Privacy-safe notices: de-identification, redaction, and a scan of every rendered notice of
generated plans for the beneficiary's name and sensitive details."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import communitygov as cg
from communitygov.publicity.privacy import WITHHELD, redact
from communitygov.testing import assistance_strategies as cgas


@pytest.mark.parametrize(
    ("name", "alias"),
    [
        ("周盛", "周某"),
        ("邱芝兰", "邱某"),
        ("周", "某"),  # "周某" would contain the name
        ("欧阳修文", "欧阳某"),
        ("司马光", "司马某"),
        ("欧阳", "欧某"),  # two characters: 欧 is the surname, 阳 the given name
        ("阿依古丽·买买提", "阿某"),
        ("Mary Smith", "M. S."),
        ("Jean-Luc Picard", "J. L. P."),
        ("zhou sheng", "Z. S."),
        ("  周盛 ", "周某"),
        ("M", "某"),  # "M." would contain the name
        ("某", "匿名"),
        ("   ", "某"),
        ("王 芳", "王某"),  # spaced in a register: it was shown as 王. 芳.
        ("王　芳", "王某"),
        ("周\u200b盛", "周某"),  # a zero-width space, pasted from a web page
        ("欧阳 修文", "欧阳某"),
    ],
)
def test_deidentify(name: str, alias: str) -> None:
    assert cg.deidentify(name) == alias


@given(
    name=st.text("周盛王芳欧阳修文司马光阿依古丽", min_size=1, max_size=5),
    separators=st.lists(
        st.sampled_from(["", " ", "\u3000", "\u200b", "\u00ad", "\u2060", "\ufeff"]),
        min_size=5,
        max_size=5,
    ),
)
def test_a_chinese_name_is_de_identified_the_same_however_its_characters_are_spaced(
    name: str, separators: list[str]
) -> None:
    spaced = "".join(char + separator for char, separator in zip(name, separators, strict=False))
    alias = cg.deidentify(spaced)
    assert alias == cg.deidentify(name)
    assert name not in alias
    assert cg.Disclosure(name=spaced).redact(f"见{name}。") == f"见{alias}。"


def test_deidentify_refuses_a_name_that_is_not_text() -> None:
    for name in (None, 5, ["周盛"]):
        with pytest.raises(cg.WrongType) as refused:
            cg.deidentify(name)  # type: ignore[arg-type]
        assert (refused.value.field, refused.value.value) == ("name", name)


@given(st.text(min_size=1, max_size=12).filter(str.strip))
def test_a_de_identified_name_never_contains_the_name(name: str) -> None:
    assert name.strip().casefold() not in cg.deidentify(name).casefold()


SECRETS = st.text(min_size=1, max_size=4).filter(str.strip)


@given(
    text=st.text(max_size=60),
    pairs=st.lists(st.tuples(SECRETS, st.text(max_size=6)), max_size=4),
)
def test_redacted_text_contains_no_secret_whatever_the_replacements(
    text: str, pairs: list[tuple[str, str]]
) -> None:
    # Replacements may contain secrets, or form them with the text around: still none left.
    redacted = redact(text, pairs)
    for secret, _ in pairs:
        assert secret not in redacted
        assert re.search(re.escape(secret), redacted, re.IGNORECASE) is None


PADDING = st.text(st.sampled_from(" \t\n\u3000"), max_size=3)


@given(
    before=st.text(max_size=20),
    after=st.text(max_size=20),
    secret=SECRETS,
    padding=st.tuples(PADDING, PADDING),
)
def test_a_secret_typed_with_whitespace_around_it_is_still_found(
    before: str, after: str, secret: str, padding: tuple[str, str]
) -> None:
    # A name or detail as a form sends it ("周盛 ", "社交恐惧症\n"), a notice typed without.
    typed = padding[0] + secret + padding[1]
    redacted = redact(before + secret.strip() + after, [(typed, "X")])
    assert re.search(re.escape(secret.strip()), redacted, re.IGNORECASE) is None


def test_a_disclosure_finds_a_name_and_a_detail_recorded_with_whitespace() -> None:
    hidden = cg.Disclosure(name="周盛 ", sensitive=["社交恐惧症\n"])
    assert hidden.redact("周盛克服了社交恐惧症。") == f"周某克服了{WITHHELD}。"


def test_redaction_replaces_longer_secrets_first_and_ignores_case() -> None:
    assert redact("社交恐惧症和恐惧症", [("恐惧症", "X"), ("社交恐惧症", "Y")]) == "Y和X"
    assert redact("MARY SMITH came", [("Mary Smith", "M. S.")]) == "M. S. came"
    assert redact("nothing here", [("  ", "x")]) == "nothing here"


def test_a_disclosure_withholds_sensitive_details_even_with_consent_to_publish() -> None:
    shown = cg.Disclosure(name="周盛", sensitive=["社交恐惧症"], may_name=True)
    hidden = cg.Disclosure(name="周盛", sensitive=["社交恐惧症"])
    text = "周盛患有社交恐惧症"
    assert shown.redact(text) == f"周盛患有{WITHHELD}"
    assert hidden.redact(text) == f"周某患有{WITHHELD}"
    assert (shown.shown_name, hidden.shown_name) == ("周盛", "周某")
    assert "周盛" not in repr(hidden)
    assert "社交恐惧症" not in repr(shown)


def test_a_disclosure_redacts_every_text_field_of_a_notice() -> None:
    notice = cg.Notice(
        kind=cg.NoticeKind.RESULT,
        community_id="周盛的社区",
        subject_id="周盛",
        subject="周盛的项目",
        text="周盛:社交恐惧症",
        place="周盛家门口",
        posted_at=datetime(2020, 7, 1, tzinfo=UTC),
    )
    disclosure = cg.Disclosure(name="周盛", sensitive=["社交恐惧症"])
    for rendered in (
        disclosure.render_text(notice),
        disclosure.render_markdown(notice),
        disclosure.render_html(notice),
    ):
        assert "周盛" not in rendered
        assert "社交恐惧症" not in rendered
        assert rendered.count("周某") == 5


def test_a_notice_as_html_is_escaped_and_says_what_it_is_about() -> None:
    notice = cg.Notice(
        kind=cg.NoticeKind.STATEMENT,
        community_id="sanwan",
        subject_id="f1",
        subject="<b>基金</b>",
        text="收入 & 支出\n第二行",
        place="公示栏",
        posted_at=datetime(2020, 7, 1, 9, tzinfo=UTC),
        about=cg.NoticeSubject.FUND,
    )
    page = cg.render_html(notice)
    assert page.startswith(
        '<article>\n<h2>收支公示 <span lang="en">Statement of accounts</span></h2>'
    )
    assert (
        '<dt>帮扶基金 <span lang="en">Fund</span></dt><dd>&lt;b&gt;基金&lt;/b&gt; (f1)</dd>' in page
    )
    assert "<p>收入 &amp; 支出<br>第二行</p>" in page  # lines kept apart on any page
    assert "收入 & 支出  \n第二行" in cg.render_markdown(notice)  # a hard line break
    assert page.endswith("</article>")
    assert "帮扶基金 Fund: <b>基金</b> (f1)" in cg.render_text(notice)  # text is not HTML


def rendered_notices(generated: cgas.GeneratedPlan) -> list[str]:
    """Every way the library renders a notice about the plan: the plan's own notices and the
    adopting matter's, through the plan's disclosure, as text and as Markdown."""
    plan, community, matter = generated.plan, generated.community, generated.matter
    disclosure = plan.disclosure(community)
    rendered = []
    for notice in plan.notices(community):
        rendered += [cg.render_text(notice), cg.render_markdown(notice), cg.render_html(notice)]
    for notice in matter.notices():
        rendered += [
            disclosure.render_text(notice),
            disclosure.render_markdown(notice),
            disclosure.render_html(notice),
        ]
    return rendered


@given(cgas.plans_with_events(max_steps=25))
def test_no_rendered_notice_shows_the_name_or_a_sensitive_detail_without_consent(
    generated: cgas.GeneratedPlan,
) -> None:
    plan, name = generated.plan, generated.name
    rendered = rendered_notices(generated)
    sensitive = [detail.text for detail in plan.sensitive]
    assert sensitive
    for text in rendered:
        for detail in sensitive:
            assert detail not in text
        if not plan.may_publish_name:
            assert name not in text
    assert name not in plan.describe().title
    assert name not in plan.title
    # Where separate consent to publish stands, the notices do name the person.
    if plan.may_publish_name and plan.posted:
        assert all(name in text for text in rendered[: 2 * len(plan.posted)])


@given(cgas.plans_with_events(max_steps=25))
def test_after_consent_is_withdrawn_every_notice_is_de_identified(
    generated: cgas.GeneratedPlan,
) -> None:
    plan = generated.plan
    assume(plan.consent_withdrawal is None)
    assert plan.last_at is not None
    withdrawn, _ = plan.withdraw_consent(at=plan.last_at)
    after = cgas.GeneratedPlan(generated.community, generated.matter, withdrawn, ())
    for text in rendered_notices(after):
        assert generated.name not in text


@pytest.mark.parametrize(
    ("registered", "typed"),
    [
        ("阿依古丽·买买提", "阿依古丽•买买提"),  # another middle dot
        ("阿依古丽·买买提", "阿依古丽 买买提"),
        ("阿依古丽·买买提", "阿依古丽买买提"),  # none at all
        ("Mary  Smith", "mary smith"),  # other spacing, other case
        ("Jean-Luc·Picard", "Jean-Luc Picard"),
        ("Jean-Luc Picard", "Jean–Luc Picard"),  # an en dash
        ("周盛", "周　盛"),  # padded with an ideographic space, as lists of names are
        ("周盛", "周 盛"),
        ("Mary Smith", "ＭＡＲＹ　Ｓｍｉｔｈ"),  # typed in full width
    ],
)
def test_a_name_typed_with_other_separators_is_hidden(registered: str, typed: str) -> None:
    disclosure = cg.Disclosure(name=registered, sensitive=["右腿 残疾"])
    shown = disclosure.redact(f"{typed}(右腿残疾)参加活动")
    assert typed.casefold() not in shown.casefold()
    assert "残疾" not in shown
    assert shown == f"{disclosure.alias}({WITHHELD})参加活动"


_SEPARATORS = st.sampled_from(
    [" ", "  ", "-", "·", "•", "‧", "・", "\u2014", "", "\u200b", "\u00ad", "\u2060"]
)


@given(
    words=st.lists(st.text("abcxyz周盛阿依", min_size=1, max_size=4), min_size=2, max_size=3),
    registered=st.lists(_SEPARATORS.filter(bool), min_size=2, max_size=2),
    typed=st.lists(_SEPARATORS, min_size=2, max_size=2),
)
def test_however_a_names_words_are_separated_it_is_never_shown(
    words: list[str], registered: list[str], typed: list[str]
) -> None:
    def joined(separators: list[str]) -> str:
        pairs = zip(separators[: len(words) - 1], words[1:], strict=True)
        return words[0] + "".join(separator + word for separator, word in pairs)

    disclosure = cg.Disclosure(name=joined(registered))
    shown = disclosure.redact(f"见{joined(typed)}。")
    assert joined(typed).casefold() not in shown.casefold()


@given(
    detail=st.text("盆骨右腿受伤终生残疾社交,.;:()1a", min_size=2, max_size=10).filter(
        lambda text: any("\u4e00" <= char <= "\u9fff" for char in text)
    ),
    spaces=st.lists(
        st.sampled_from(["", "", " ", "\u3000", "\u200b", "\u200d", "\u00ad"]),
        min_size=10,
        max_size=10,
    ),
    wide=st.lists(st.booleans(), min_size=10, max_size=10),
)
def test_a_detail_typed_with_other_spacing_or_width_is_withheld(
    detail: str, spaces: list[str], wide: list[bool]
) -> None:
    # A Chinese keyboard types ，for the , stored, and 周盛 is padded to 周　盛 in lists of
    # names: both reached the public notice board as typed.
    def typed_as(char: str, full: bool) -> str:
        return chr(ord(char) + 0xFEE0) if full and "!" <= char <= "~" else char

    typed = "".join(
        typed_as(char, full) + space
        for char, full, space in zip(detail, wide, spaces, strict=False)
    ).strip(" \u3000\u200b\u200d\u00ad")  # what follows the last character is not the detail
    disclosure = cg.Disclosure(name="周盛", sensitive=[detail])
    shown = disclosure.redact(f"周　盛({typed})")
    assert typed not in shown
    assert shown == f"周某({WITHHELD})"


@settings(max_examples=10, deadline=None)
@given(cgas.plans_with_events(max_steps=3))
def test_the_notice_board_names_no_beneficiary_that_a_matter_about_the_plan_names(
    generated: cgas.GeneratedPlan,
) -> None:
    # A matter raised about a plan names the beneficiary as typed; the board redacts it.
    gov = cg.Governance(cg.MemoryStore())
    for record in generated.records():
        gov.create(record)
    community_id = generated.community.id
    typed = [cg.render_text(notice) for notice in generated.matter.notices()]
    assert any(generated.name in text for text in typed)
    board = cg.notice_board(gov, community_id)
    assert len(board) >= len(typed)
    assert [notice.posted_at for notice in board] == sorted(n.posted_at for n in board)
    shown = [cg.render_text(notice) for notice in board]
    redact = cg.redactor(gov, community_id)
    if not generated.plan.may_publish_name:
        assert not any(generated.name in text for text in shown)
        assert not any(generated.name in redact(text) for text in typed)
    with pytest.raises(cg.NotFound):
        cg.notice_board(gov, community_id + "-x")


@settings(max_examples=max(10, settings().max_examples // 5), deadline=None)
@given(cgas.plans_with_events(max_steps=0))
def test_a_detail_learned_after_intake_is_withheld_from_then_on(
    generated: cgas.GeneratedPlan,
) -> None:
    plan, community = generated.plan, generated.community
    learned = cg.SensitiveDetail(cg.SensitiveKind.HEALTH, "确诊某种罕见病")
    assert learned not in plan.sensitive
    when = plan.last_at
    assert when is not None
    text = f"{generated.name}{learned.text}后坚持每周外出"
    posted, notice_events = plan.post_notice(
        cg.PlanNoticeKind.RESULT, text, place="公示栏", at=when
    )
    assert learned.text in posted.disclosure(community).redact(text)  # not yet held
    held, events = posted.record_sensitive(learned, at=when)
    assert held.sensitive == (*plan.sensitive, learned)
    assert cg.AssistancePlan.replay((*generated.events, *notice_events, *events)) == held
    for notice in held.notices(community):
        assert learned.text not in cg.render_text(notice)
    with pytest.raises(cg.NotApplicable) as refused:
        held.record_sensitive(learned, at=when)
    assert refused.value.value == learned.text
    withdrawn, _ = held.withdraw_consent(at=when)
    with pytest.raises(cg.ConsentAlreadyWithdrawn):
        withdrawn.record_sensitive(cg.SensitiveDetail(cg.SensitiveKind.HEALTH, "另一项"), at=when)
