"""Tasks (任务): instantiating each phase's and period's tasks on the backward-planned schedule (倒排进度) set-based and idempotently, 打卡/销号 with photos and evidence flags, 核查 by the office, what counts as overdue, and the boards and lists the pages and the CLI read.

Entry points (flows, web routes, commands) import from here, not from the modules."""

from __future__ import annotations

from services.tasks.board import (
    Board,
    BoardSection,
    Card,
    CardGroup,
    MapLine,
    MapProblem,
    MapTick,
    SegmentMap,
    SegmentPage,
    TaskDetail,
    TickView,
    board,
    card_of,
    list_cards,
    my_segments,
    segment_page,
    task_detail,
)
from services.tasks.evidence import (
    Flag,
)
from services.tasks.photos import (
    MAX_BYTES,
    PreparedPhoto,
    discard_unsaved,
    prepare_photo,
    save_photo,
    view_path,
    visible_photo,
)
from services.tasks.queries import (
    TaskRow,
    list_tasks,
)
from services.tasks.ticking import (
    MAX_PHOTOS,
    precheck_tick,
    tick_task,
    undo_tick,
)
from services.tasks.verification import (
    PASS,
    QueueItem,
    photos_of,
    verification_queue,
    verify_task,
    warnings,
)

__all__ = [
    "Board",
    "BoardSection",
    "Card",
    "CardGroup",
    "Flag",
    "MAX_BYTES",
    "MAX_PHOTOS",
    "MapLine",
    "MapProblem",
    "MapTick",
    "PASS",
    "PreparedPhoto",
    "QueueItem",
    "SegmentMap",
    "SegmentPage",
    "TaskDetail",
    "TaskRow",
    "TickView",
    "board",
    "card_of",
    "discard_unsaved",
    "list_cards",
    "list_tasks",
    "my_segments",
    "photos_of",
    "precheck_tick",
    "prepare_photo",
    "save_photo",
    "segment_page",
    "task_detail",
    "tick_task",
    "undo_tick",
    "verification_queue",
    "verify_task",
    "view_path",
    "visible_photo",
    "warnings",
]
