"""Read ``campaign.yaml`` (or the folder holding it) and report every problem at once, in Chinese."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from config.campaign import CampaignFile

CAMPAIGN_FILE_NAME = "campaign.yaml"

_REASONS = {
    "missing": "缺少必填项",
    "extra_forbidden": "不认识的字段（请检查拼写）",
    "date_from_datetime_parsing": "日期格式不正确，应为 YYYY-MM-DD",
    "date_parsing": "日期格式不正确，应为 YYYY-MM-DD",
    "date_type": "应为日期 YYYY-MM-DD",
    "string_type": "应为文字",
    "int_parsing": "应为整数",
    "float_parsing": "应为数字",
    "bool_parsing": "应为 true 或 false",
    "list_type": "应为列表",
    "dict_type": "应为键值表",
    "model_type": "应为键值表",
    "too_short": "内容过少",
    "string_too_short": "不能为空",
    "string_pattern_mismatch": "格式不正确（只能用小写字母、数字和连字符）",
    "greater_than": "必须大于 0",
    "greater_than_equal": "不能为负数",
    "less_than_equal": "数值过大",
    "tuple_type": "应为两项的列表",
}


class CampaignFileError(Exception):
    """The campaign file cannot be used; ``problems`` lists every reason, each naming file and field."""

    def __init__(self, path: Path, problems: list[str]):
        super().__init__(f"活动配置文件 {path} 有 {len(problems)} 处错误")
        self.path = path
        self.problems = problems


@dataclass(frozen=True)
class LoadedCampaign:
    """A validated campaign file and the folder its relative file names are resolved against."""

    spec: CampaignFile
    path: Path

    @property
    def folder(self) -> Path:
        return self.path.parent

    def resolve(self, name: str) -> Path:
        """A file named in the campaign file, relative to the campaign file's folder."""
        p = Path(name)
        return p if p.is_absolute() else (self.folder / p)


def _location(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "（文件顶层）"


def _reason(err: ErrorDetails) -> str:
    kind = err.get("type", "")
    if kind in ("value_error", "assertion_error"):
        return str(err.get("ctx", {}).get("error", err.get("msg", "")))
    if kind in ("enum", "literal_error"):
        expected = err.get("ctx", {}).get("expected", "")
        return f"取值无效，可选：{expected}"
    return _REASONS.get(kind, f"取值无效（{err.get('msg', kind)}）")


def _describe(path: Path, err: ValidationError) -> list[str]:
    problems = []
    for e in err.errors():
        loc = tuple(p for p in e["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        field = next((str(p) for p in reversed(loc) if isinstance(p, str)), "")
        where = _location(loc)
        value = e.get("input")
        shown = "" if isinstance(value, (dict, list)) or value is None else f"（值：{value!r}）"
        problems.append(f"{path}: {where}: 字段 {field or '-'}: {_reason(e)}{shown}")
    return problems


def find_campaign_file(path: Path) -> Path:
    """``path`` itself, or ``campaign.yaml`` inside it when it is a folder."""
    return path / CAMPAIGN_FILE_NAME if path.is_dir() else path


def load_campaign(path: Path) -> LoadedCampaign:
    """Parse and validate a campaign file; raise CampaignFileError listing every problem."""
    path = find_campaign_file(Path(path)).resolve()
    if not path.is_file():
        raise CampaignFileError(path, [f"{path}: 找不到活动配置文件"])
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise CampaignFileError(path, [f"{path}: 文件不是 UTF-8 编码"]) from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列" if mark else "未知位置"
        raise CampaignFileError(path, [f"{path}: {where}: YAML 格式错误（{getattr(e, 'problem', e)}）"]) from None
    if not isinstance(raw, dict):
        raise CampaignFileError(path, [f"{path}: 文件内容应为键值表（campaign、stages、units …）"])
    try:
        spec = CampaignFile.model_validate(raw)
    except ValidationError as e:
        raise CampaignFileError(path, _describe(path, e)) from None
    loaded = LoadedCampaign(spec=spec, path=path)
    missing = [
        f"{path}: {field}.file: 找不到文件 {loaded.resolve(ref.file)}"
        for field, ref in (("segments", spec.segments), ("assignments", spec.assignments),
                           ("campaign.boundary", spec.campaign.boundary), ("places", spec.places))
        if ref is not None and not loaded.resolve(ref.file).is_file()
    ]
    if missing:
        raise CampaignFileError(path, missing)
    return loaded
