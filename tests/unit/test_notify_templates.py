from notify import templates
from notify.base import Message, merge_digest


def test_every_template_gives_a_bracketed_chinese_title_and_a_body():
    notices = [
        templates.test_message("创卫办企微群"),
        templates.escalation_notice(
            "人民路积水", "人民路东段", "包段县级领导", "5月12日18时前", ["建议住建局牵头"], "协调未果"
        ),
        templates.supervision_notice("〔2026〕第12号", "市城管局", ["垃圾清运不及时"], "5月15日"),
        templates.reminder("背街小巷清理", "5月12日"),
        templates.overdue_notice("背街小巷清理", "市城管局", "5月12日", "2个工作日"),
        templates.sanction_notice("通报批评", "市城管局", "督办事项逾期未整改"),
        templates.brief_summary(12, "5月4日至5月10日", ["完成整改问题86个"]),
        templates.digest([("【督办】甲", "…", None), ("【提醒】乙", "…", "https://cw.example/tasks/1")]),
    ]

    for title, body in notices:
        assert title.startswith("【") and "】" in title
        assert body


def test_an_escalation_carries_the_opinions_gathered_below_in_order():
    _, body = templates.escalation_notice(
        "人民路积水", "人民路东段", "创卫办", "5月14日", ["牵头部门：需财政支持", "县级领导：同意上报"], "涉及资金"
    )

    assert "1. 牵头部门：需财政支持\n2. 县级领导：同意上报" in body


def test_an_escalation_without_opinions_says_so():
    _, body = templates.escalation_notice("人民路积水", "人民路东段", "牵头部门", "5月14日", [], "首次上报")

    assert "前序意见：无" in body


def test_a_supervision_notice_is_numbered_and_addressed_to_the_unit():
    title, body = templates.supervision_notice("〔2026〕第12号", "市城管局", ["垃圾清运不及时", "占道经营"], "5月15日")

    assert title == "【督办】创卫督办单〔2026〕第12号"
    assert body.startswith("市城管局：")
    assert "1. 垃圾清运不及时\n2. 占道经营" in body


def test_a_digest_lists_the_titles_of_the_merged_messages_with_their_links():
    title, body = templates.digest([("【督办】人民路", "甲", "https://cw.example/problems/1"),
                                    ("【提醒】解放路", "乙", None)])

    assert title == "【汇总】督办、提醒通知2条"
    assert "1. 【督办】人民路\n   https://cw.example/problems/1\n2. 【提醒】解放路" in body


def test_a_digest_lists_a_repeated_title_once_with_its_number():
    _, body = templates.digest([("【提醒】路段周巡查保洁", "", f"https://cw.example/tasks/{i}") for i in range(29)])

    assert body.count("路段周巡查保洁") == 1 and "【提醒】路段周巡查保洁（29条）" in body


def test_merging_keeps_the_links_of_what_is_merged():
    merged = merge_digest("d", [Message("k1", "【上报】甲", "", link="https://cw.example/problems/1"),
                                Message("k2", "【上报】乙", "", link="https://cw.example/problems/2")])
    same = merge_digest("d", [Message("k1", "【提醒】甲", "", link="https://cw.example/tasks"),
                              Message("k2", "【逾期】乙", "", link="https://cw.example/tasks")])

    assert merged.link is None
    assert merged.links == (("【上报】甲", "https://cw.example/problems/1"), ("【上报】乙", "https://cw.example/problems/2"))
    assert same.link == "https://cw.example/tasks"


def test_an_overdue_notice_never_says_zero_hours():
    _, just_due = templates.overdue_notice("巡查", "县城管局", "1月3日18时", templates.overdue_span(0.4))
    _, late = templates.overdue_notice("巡查", "县城管局", "1月3日18时", templates.overdue_span(50))

    assert "逾期0小时" not in just_due and "现已到期" in just_due
    assert "现已逾期2天" in late


def test_a_supervision_number_that_names_the_document_is_not_repeated():
    title, _ = templates.supervision_notice("创卫督〔2025〕2号", "县城管局", ["甲"], "1月5日")

    assert title == "【督办】创卫督〔2025〕2号"


def test_merging_a_burst_keeps_every_original_key_and_mention():
    burst = [
        Message("k1", "【督办】人民路", "甲", mentions=("13800000000",)),
        Message("k2", "【提醒】解放路", "乙", mentions=("13800000000", "13900000000")),
        Message("d1", "【汇总】通知2条", "丙", digest_keys=("k3", "k4")),
    ]

    merged = merge_digest("digest-1", burst)

    assert merged.idempotency_key == "digest-1"
    assert merged.digest_keys == ("k1", "k2", "k3", "k4")
    assert merged.mentions == ("13800000000", "13900000000")
    assert merged.title == "【汇总】督办、提醒通知3条"
