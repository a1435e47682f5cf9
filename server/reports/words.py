"""The report's words in zh-CN and en: titles, factor names, and the recommendation each factor triggers."""

from __future__ import annotations

__all__ = ["EMPTY", "WORDS", "channel_name", "number", "points_text", "value_text"]

WORDS: dict[str, dict[str, str]] = {
    "zh-CN": {
        "title": "电气火灾安全体检报告", "period": "体检周期", "site": "单位", "address": "地址",
        "venue": "场所类型", "region": "所在区域", "generated": "生成时间", "score": "安全评分", "grade": "安全等级",
        "factors": "评分明细", "factor": "项目", "measured": "实测", "points": "扣分", "cap": "上限",
        "devices": "监测设备", "online": "设备在线率", "alarms": "报警与预警", "by_cause": "按原因",
        "by_hour": "按时段（24 小时）", "trends": "剩余电流与温度趋势（每日最大值）", "hazards": "隐患整改",
        "found": "本期发现", "rectified": "本期整改", "open": "未关闭", "overdue": "已逾期",
        "mean_days": "平均整改用时", "recommendations": "建议", "none": "无", "level.alarm": "报警",
        "level.prealarm": "预警", "level.fault": "故障", "level.offline": "离线", "state.open": "待指派",
        "state.assigned": "整改中", "state.rectified": "待验收", "state.verified": "已验收", "state.closed": "已关闭",
        "severity.major": "重大", "severity.general": "一般", "hazard": "隐患", "created": "发现", "closed": "关闭",
        "days": "整改用时", "severity": "级别", "state": "状态",
        "v.times": "{n} 次", "v.hazards": "{n} 条", "v.missing": "缺 {n} 项", "v.none_missing": "齐全",
        "v.days": "{n} 天", "ch.residual_ma": "剩余电流", "ch.temp_c": "温度", "date": "日期",
        "grade_capped": "缺少 {missing}，等级最高为 {grade}",
        "f.alarms": "报警次数", "f.prealarms": "预警次数", "f.online": "设备在线率",
        "f.open_hazards": "未关闭隐患", "f.overdue": "逾期隐患", "f.capabilities": "缺少的必配能力",
        "f.rectification": "平均整改用时",
        "r.alarms": "本期发生 {value:.0f} 次报警：请电工排查报警回路（接线端子、插座、老化线路），必要时更换。",
        "r.prealarms": "预警较多：在达到报警值之前安排检查，重点关注漏电流持续上升的回路。",
        "r.online": "设备在线率偏低：检查站点盒和设备的供电与网络，离线期间无法监测线路。",
        "r.open_hazards": "仍有未关闭的隐患：按期限整改并上传整改照片，申请验收。",
        "r.overdue": "有隐患已逾期：请立即整改，或与运营单位联系说明情况。",
        "r.capabilities": "按场所类型须安装的探测能力尚未具备：{missing}。请安排安装和验收。",
        "r.rectification": "整改用时偏长：建议与运营单位约定更短的整改期限。",
        "r.good": "本期用电安全状况良好，请继续保持日常检查。",
    },
    "en": {
        "title": "Electrical fire-safety health check", "period": "Period", "site": "Unit", "address": "Address",
        "venue": "Venue type", "region": "Region", "generated": "Generated", "score": "Safety score",
        "grade": "Grade", "factors": "How the score is made", "factor": "Factor", "measured": "Measured",
        "points": "Points off", "cap": "Cap", "devices": "Monitoring devices", "online": "Devices online",
        "alarms": "Alarms and pre-alarms", "by_cause": "By cause", "by_hour": "By hour of day",
        "trends": "Residual current and temperature (daily maximum)", "hazards": "Hazards",
        "found": "Found this period", "rectified": "Rectified this period", "open": "Not closed",
        "overdue": "Overdue", "mean_days": "Mean days to rectify", "recommendations": "Recommendations",
        "none": "None", "level.alarm": "Alarm", "level.prealarm": "Pre-alarm", "level.fault": "Fault",
        "level.offline": "Offline", "state.open": "Open", "state.assigned": "Assigned", "state.rectified": "Rectified",
        "state.verified": "Verified", "state.closed": "Closed", "severity.major": "Major",
        "severity.general": "General", "hazard": "Hazard", "created": "Found", "closed": "Closed",
        "days": "Days to rectify",
        "severity": "Severity", "state": "State", "v.times": "{n}", "v.hazards": "{n}", "v.missing": "{n} missing",
        "v.none_missing": "all there", "v.days": "{n} days", "ch.residual_ma": "Residual current",
        "ch.temp_c": "Temperature", "date": "Date",
        "grade_capped": "{missing} missing: the grade is at best {grade}",
        "f.alarms": "Alarms", "f.prealarms": "Pre-alarms", "f.online": "Devices online",
        "f.open_hazards": "Hazards not closed", "f.overdue": "Overdue hazards",
        "f.capabilities": "Required capabilities missing", "f.rectification": "Mean days to rectify",
        "r.alarms": "{value:.0f} alarms this period: have an electrician check the alarming circuits (terminals, "
                    "sockets, aged cables) and replace what is worn.",
        "r.prealarms": "Many pre-alarms: check before they become alarms, above all circuits whose leakage keeps "
                       "rising.",
        "r.online": "Devices were offline too often: check the power and network of the site box and devices; "
                    "nothing is watched while they are offline.",
        "r.open_hazards": "Hazards are still open: fix them by their due dates and upload photos for verification.",
        "r.overdue": "Some hazards are overdue: fix them now, or tell the operator company why not.",
        "r.capabilities": "Detection this venue type must have is missing: {missing}. Have it installed and "
                          "commissioned.",
        "r.rectification": "Rectification is slow: agree shorter due dates with the operator company.",
        "r.good": "Electrical safety was good this period; keep up the routine checks.",
    },
}


# How each factor's measured value reads; None (nothing to measure) reads "—" in every rendering.
_VALUE_WORDS = {"alarms": "v.times", "prealarms": "v.times", "open_hazards": "v.hazards", "overdue": "v.hazards",
                "rectification": "v.days"}
EMPTY = "—"


def number(value: float) -> str:
    """A number as people write it: 3, 97.5, 10 (never 10.0)."""
    return f"{round(value, 2):g}"


def value_text(key: str, value: float | None, lang: str) -> str:
    """A factor's measured value with its unit, the same rule as the PWA's factorValueText (reports/model.ts)."""
    words = WORDS[lang]
    if value is None:
        return EMPTY
    if key == "online":
        return f"{number(value)}%"
    if key == "capabilities":
        return words["v.none_missing"] if value == 0 else words["v.missing"].format(n=number(value))
    return words[_VALUE_WORDS[key]].format(n=number(value)) if key in _VALUE_WORDS else number(value)


def points_text(points: float) -> str:
    """Points taken off: "−4", or "0" when none (never "−0")."""
    return f"−{number(points)}" if points > 0 else "0"


def channel_name(key: str, lang: str) -> str:
    """A trend channel's key in words: residual_ma → 剩余电流, temp_c_2 → 温度 2 (as the PWA's channelLabel)."""
    words = WORDS[lang]
    for base in ("residual_ma", "temp_c"):
        if key == base:
            return words[f"ch.{base}"]
        if key.startswith(base + "_"):
            return f"{words[f'ch.{base}']} {key[len(base) + 1:].upper()}"
    return key
