"""The command line's own texts for ``cw assess`` and ``cw brief`` (the workbook's and the brief's
texts stay with their services; labels of closed sets are in ``commands.labels``)."""

from __future__ import annotations

# cw assess
#: columns of the short CLI table
CLI_COLUMNS = ["rank", "name", "score", "rating", "movement", "due", "overdue", "completion_rate", "on_time_rate",
               "rework_rate", "findings", "escalated"]
#: the CLI tables are laid out at least this wide (a pipe or a narrow terminal would cut them)
CLI_WIDTH = 150
CLI_TITLE = "{label} 单位考核排名（{kind}）　{as_of}"
CLI_SEGMENT_TITLE = "{label} 路段考核排名　{as_of}"
CLI_NOTE = ("综合得分 = 100 ×（结案率×{completion} + 按期处置率×{on_time} + (1−返工率)×{quality} + "
            "立案数分值/10×{load}{extra}）÷ 有数据各项权重之和；同类单位之间排名。")
CLI_PROPOSED = "{week} 评级已提出 {n} 条（待创卫办确认；已确认的 {frozen} 条不变）。"
CLI_CONFIRMED = "已确认 {n} 条{what}，已通知 {notified} 个单位（通知已写入发送队列）。"
CLI_COMMENDED = "{phase}时段表彰候选单位 {n} 个（待创卫办确认）。"
CLI_INTERVIEW = "{unit}：连续 {n} 周评级为红，按约谈规则提出约谈建议（待创卫办确认）。"
CLI_EXPORTED = "考核记录已导出：{path}（{sheets} 个工作表）"
WHAT_RATINGS, WHAT_COMMENDATIONS = "评级", "表彰"

# cw brief
CLI_WRITTEN = "已生成创卫简报{number}：{files}"
CLI_REUSED = "（重新生成，沿用原期号）"
CLI_LIST_TITLE = "创卫简报（共{n}期）"
CLI_LIST_COLS = ("期号", "类型", "标题", "数据截至", "文件")
