"""Chinese words of the 模拟暗访: titles, report headings, notes."""

from __future__ import annotations

TITLE = "{date} 模拟暗访"
ROUND_TITLE = "{date} 模拟暗访（按国家暗访方式抽样）"
NO_PLACES = "本活动没有「{type}」类点位（可用 cw import places 导入）"
REPORT_TITLE = "{date}模拟暗访情况报告"
REPORT_INTRO = ("按国家卫生县城暗访方式，{date}随机抽取{types}类{points}个点位进行模拟暗访，"
                "共发现问题{findings}个，扣{deduction:g}分，得分{score:g}分（满分100分）。")
BY_AREA = "按标准方面扣分"
BY_TYPE = "按点位类型扣分"
BY_SEGMENT = "路段排名（问题由少到多）"
BY_UNIT = "责任单位排名（问题由少到多）"
POINTS = "抽查点位"
AREA_COLS = ("方面", "问题数", "扣分")
TYPE_COLS = ("点位类型", "抽查点位", "问题数", "扣分")
RANK_COLS = ("名次", "名称", "问题数", "扣分")
POINT_COLS = ("序号", "类型", "名称", "所属路段")
NO_FINDINGS = "本次模拟暗访尚未记录问题。"
MAP_TITLE = "{date} 模拟暗访路线（{n} 个点位，约 {km:.1f} 公里）"
OTHER_AREA = "市容环境卫生"
