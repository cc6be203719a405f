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
CLI_DRAFTED = "创卫简报{number}草稿（{state}）：{week}；签发前可用 cw brief edit 修改以下各节"
CLI_DRAFT_SECTION = "【{section}】{mark}"
CLI_DRAFT_OWN, CLI_DRAFT_GENERATED = "（创卫办已修改）", "（系统生成）"
CLI_EDITED = "已修改第{number}期简报的「{section}」（{chars} 字）"
CLI_NO_TEXT = "请用 --file 指定文本文件，或用 --text 直接填写"
CLI_BAD_FILE = "无法读取文本文件 {path}：{reason}"

# cw report
CLI_STAGE_WRITTEN = "已生成「{phase}」时段工作总结：{files}"
CLI_STAGE_LINE = "工作量：{line}"
CLI_CIRCULAR_WRITTEN = "已印发督查通报第{number}期：{files}（通知 {notified} 条）"

# cw standard, cw rehearsal, cw survey
STD_LOADED = "已载入《{title}》第 {version} 版：{items} 个条目（新增 {added}，更新 {updated}，停用 {retired}）"
STD_UNCHANGED = "《{title}》第 {version} 版内容未变（{items} 个条目），无需重新载入"
STD_UNOWNED = "以下条目的责任单位不在本活动的单位名单中，按原文记录：{items}"
STD_ITEMS_TITLE = "国家卫生县城标准条目（{n} 条）"
STD_ITEMS_COLS = ("编号", "方面", "条目", "责任单位", "自评", "佐证")
STD_STATUS_TITLE = "《{title}》自评进度：{items} 个条目，已自评 {assessed}，达标 {met}，基本达标 {mostly}，未达标 {not_met}"
STD_STATUS_COLS = ("方面", "条目数", "已自评", "达标", "达标率")
STD_RED = "未达标或未自评的条目（{n} 条）："
STD_ASSESSED = "已自评 {code}《{title}》：{result}{score}；归档佐证材料 {n} 个"
STD_ARCHIVED = "资料压缩包已生成：{path}（{items} 个条目，佐证材料 {files} 个，系统记录摘录 {extracts} 个）"
STD_VECTOR = "已记录{pest}密度监测：{metric} {value}{unit}，{verdict}"
STD_NOT_LOADED = "（未载入标准）"
REH_PLANNED = "模拟暗访 {date}（第 {id} 次，随机种子 {seed}）：{n} 个点位"
REH_TYPES = "  {type}：{n} 个"
REH_MAP = "路线图：{path}"
REH_REPORT = "模拟暗访报告已生成：{files}"
SURVEY_CREATED = "已创建测评「{title}」（{period}）。公开链接：{url}"
SURVEY_QR = "海报二维码：{path}"
SURVEY_NO_QR = "未安装二维码库 segno，未生成二维码图片（安装 segno 后运行 cw survey qr 测评编号 --out 文件.png）"
SURVEY_RESULT = "{title}（{period}）：答卷 {responses} 份，满意 {satisfied}，基本满意 {fairly}，不满意 {dissatisfied}，满意率 {rate}"
SURVEY_NONE = "还没有满意度测评，请先运行 cw survey create"
