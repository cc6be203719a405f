"""Chinese words of the standard's files: archive folders, index and 目录 headings, system extracts."""

from __future__ import annotations

INDEX_SHEET = "条目索引"
INDEX_COLUMNS = ("序号", "条目编号", "方面", "条目", "责任单位", "自评结果", "自评得分", "自评说明", "自评时间",
                 "佐证材料（压缩包内路径）", "核对状态")
VERIFIED = {True: "已核对标准原文", False: "未核对官方原文"}
NOT_ASSESSED = "未自评"
CATALOGUE_TITLE = "{title}资料目录"
CATALOGUE_INTRO = "按《{title}》条目顺序归档；生成时间 {when}。每个条目一个文件夹，内含上传的佐证材料和系统自动生成的记录摘录。"
SYSTEM_FOLDER = "系统记录"
NO_EVIDENCE = "（暂无佐证材料）"
EXTRACT_TASKS = "任务完成情况"
EXTRACT_FINDINGS = "督查问题及整改情况"
EXTRACT_COMPLAINTS = "群众投诉办理情况"
EXTRACT_SURVEY = "群众满意度测评"
EXTRACT_VECTOR = "病媒生物密度监测"
TASK_COLUMNS = ("任务类别", "任务数", "已完成", "已核查销号", "完成率")
FINDING_COLUMNS = ("问题类别", "问题数", "已销号", "整改中", "销号率")
COMPLAINT_COLUMNS = ("投诉数", "已办结", "回访数", "满意及基本满意", "满意率")
SURVEY_COLUMNS = ("测评", "时段", "答卷数", "满意", "基本满意", "不满意", "满意率")
VECTOR_COLUMNS = ("病媒", "指标", "方法", "地点", "日期", "结果", "单位", "C级阈值", "是否达标", "阈值核对")
PASSED = {True: "达标", False: "未达标", None: "无阈值"}
READINESS_TITLE = "国家卫生县城标准达标准备情况"
