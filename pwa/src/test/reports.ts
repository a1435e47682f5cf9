// A health-check report as the server sends it (GET /api/v1/sites/{id}/report?format=json), for tests.
import type { Report } from '../features/reports/types'

export function report(overrides: Partial<Report> = {}): Report {
  return {
    site: {
      id: 1,
      name: '桃花仑综合市场 12号摊位',
      address: '益阳市赫山区桃花仑路 88 号市场内 12 号',
      venue_type: 'market',
      venue_type_name: '集贸市场',
      region_name: '益阳市 赫山区 赫山街道 赫山街道第一网格',
    },
    period: '2026-10',
    start: 1_790_784_000,
    end: 1_793_462_400,
    generated_at: 1_795_448_501,
    lang: 'zh-CN',
    devices: 2,
    online_rate: 0.9735,
    alarms_total: 5,
    alarms_by_cause: [
      { cause: 'leakage', name: '漏电', alarm: 1, prealarm: 2, fault: 0, offline: 0 },
      { cause: 'arc', name: '故障电弧', alarm: 2, prealarm: 0, fault: 0, offline: 0 },
    ],
    alarms_by_hour: [0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0],
    trends: [
      { channel_id: 11, key: 'residual_ma', name: '剩余电流', place: '插座回路', unit: 'mA', day: [100, 200, 300], value: [120, 180, 250] },
      { channel_id: 12, key: 'temp_c_1', name: '温度 1', place: '插座回路', unit: '°C', day: [100, 300], value: [41, 45] },
      { channel_id: 13, key: 'residual_ma', name: '剩余电流', place: '照明回路', unit: 'mA', day: [200, 300, 400], value: [30, 31, 33] },
    ],
    hazards: {
      found: 2,
      rectified: 1,
      mean_days_to_rectify: 2.5,
      open: 1,
      overdue: 1,
      items: [
        { id: 7, title: '插座烧焦发黑', severity: 'major', state: 'assigned', created_at: 1_791_000_000, rectified_at: null, closed_at: null, days_to_rectify: null },
      ],
    },
    score: 57,
    grade: 'D',
    factors: [
      { key: 'alarms', name: '报警次数', value: 3, points: 16, cap: 30 },
      { key: 'prealarms', name: '预警次数', value: 2, points: 2, cap: 10 },
      { key: 'online', name: '设备在线率', value: 97.35, points: 1.65, cap: 15 },
      { key: 'open_hazards', name: '未关闭隐患', value: 1, points: 8, cap: 25 },
      { key: 'overdue', name: '逾期隐患', value: 1, points: 2, cap: 10 },
      { key: 'capabilities', name: '缺少的必配能力', value: 1, points: 10, cap: 20 },
      { key: 'rectification', name: '平均整改用时', value: 2.5, points: 0, cap: 5 },
    ],
    recommendations: ['本月发生 2 次故障电弧报警，请电工检查插座回路的接线和插头。'],
    missing_capabilities: ['灭弧保护'],
    grade_note: null,
    ...overrides,
  }
}
