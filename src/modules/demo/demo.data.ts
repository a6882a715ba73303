/** Reference tables for the demo data set: Chengde's counties, industries, names, typical conduct. */
import type { DishonestyLevel, HonorLevel } from '../policy/credit-policy';

export type IndustryKey =
  | 'steel'
  | 'power'
  | 'mining'
  | 'pharma'
  | 'liquor'
  | 'paper'
  | 'food'
  | 'hawthorn'
  | 'mushroom'
  | 'cement'
  | 'chemical'
  | 'dairy'
  | 'water'
  | 'hotel'
  | 'textile';

/** [code, name, weight, local industries] */
export const REGIONS: readonly (readonly [string, string, number, IndustryKey[]])[] = [
  ['130802', '双桥区', 12, ['hotel', 'pharma', 'food', 'water']],
  ['130803', '双滦区', 10, ['steel', 'power', 'cement']],
  ['130804', '鹰手营子矿区', 5, ['mining', 'steel']],
  ['130821', '承德县', 11, ['mining', 'liquor', 'food']],
  ['130822', '兴隆县', 10, ['hawthorn', 'mining', 'liquor']],
  ['130824', '滦平县', 9, ['mining', 'food', 'cement']],
  ['130825', '隆化县', 9, ['dairy', 'food', 'mining']],
  ['130826', '丰宁满族自治县', 9, ['dairy', 'food', 'power']],
  ['130827', '宽城满族自治县', 9, ['mining', 'steel', 'food']],
  ['130828', '围场满族蒙古族自治县', 8, ['food', 'dairy', 'textile']],
  ['130881', '平泉市', 10, ['mushroom', 'liquor', 'chemical']],
];
export const NAME_PREFIX: Record<string, string[]> = {
  '130802': ['承德市双桥区', '承德'],
  '130803': ['承德市双滦区', '承德双滦'],
  '130804': ['承德市鹰手营子矿区', '承德鹰手营子'],
  '130826': ['丰宁满族自治县', '丰宁'],
  '130827': ['宽城满族自治县', '宽城'],
  '130828': ['围场满族蒙古族自治县', '围场'],
};

/** Name keywords, the industry field, annual permit quota range (m³). */
export const INDUSTRIES: Record<IndustryKey, readonly [string[], string, number, number]> = {
  steel: [['钢铁', '特钢', '钒钛钢铁'], '钢铁冶炼', 600_000, 2_000_000],
  power: [['热电', '发电', '热力'], '火力发电', 400_000, 2_000_000],
  mining: [['矿业', '铁矿', '钒钛矿业', '矿产品'], '黑色金属矿采选', 100_000, 1_200_000],
  pharma: [['制药', '药业', '中药饮片'], '医药制造', 80_000, 500_000],
  liquor: [['酒业', '酿酒', '酿造'], '酒类酿造', 60_000, 400_000],
  paper: [['纸业', '造纸'], '造纸及纸制品', 200_000, 1_500_000],
  food: [['食品', '肉类食品', '粮油', '板栗食品', '马铃薯淀粉'], '食品加工', 50_000, 300_000],
  hawthorn: [['山楂饮品', '果蔬饮品', '杏仁饮品'], '饮料制造', 50_000, 400_000],
  mushroom: [['食用菌加工', '菌业'], '农副食品加工', 50_000, 200_000],
  cement: [['水泥', '建材'], '水泥制造', 100_000, 600_000],
  chemical: [['化工', '精细化工'], '化学原料和化学制品制造', 100_000, 800_000],
  dairy: [['乳业', '乳品'], '乳制品制造', 80_000, 400_000],
  water: [['水务', '供水'], '自来水生产和供应', 500_000, 2_000_000],
  hotel: [['酒店管理', '宾馆'], '住宿业', 50_000, 150_000],
  textile: [['毛纺', '纺织'], '纺织业', 80_000, 500_000],
};
export const INDUSTRY_KEYS = Object.keys(INDUSTRIES) as IndustryKey[];
export const BRANDS = [
  ...'宏达 兴旺 鑫源 恒泰 金山 瑞丰 盛达 鼎盛 天宝 永兴 顺通 德润 聚源 富丰 佳禾 利民 昌盛 振兴 广源 泰和 燕山 滦河 武烈 雾灵 塞罕 坝上 热河 磬锤 青松 新宇 福源 锦绣 润泽 清源 龙泉 冀北 众诚 安泰 博远 万通 嘉禾 旭日 和顺 兴业 德胜 蓝天 绿源 碧水 丰泽 宝丰 华盛 金鼎 长兴 同信 益民 凯达 晟达 恒信 北辰 四方'.split(
    ' ',
  ),
];
export const SUFFIXES: readonly (readonly [string, number])[] = [
  ['有限公司', 60],
  ['有限责任公司', 25],
  ['股份有限公司', 10],
  ['集团有限公司', 5],
];
/** Mobile prefixes actually allocated in mainland China (13x, 15x without 154, 18x). */
export const MOBILE_PREFIXES = '130 131 132 133 134 135 136 137 138 139 150 151 152 153 155 156 157 158 159 180 181 182 183 185 186 187 188 189'.split(' ');
export const SURNAMES =
  '王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏付方白邹孟熊秦邱江尹薛闫段雷侯史陶贺顾毛郝龚邵钱严武戴孔汤';
export const GIVEN =
  '伟 芳 娜 秀英 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀兰 霞 平 刚 桂英 建国 建华 志强 海涛 国庆 春生 玉兰 淑珍 文博 晓东 红梅 立新 振华 德明 永强 宏伟 金凤 海军 树林 凤霞 志刚 俊峰 雪梅 长春 宝山 玉华 福生'.split(
    ' ',
  );

/** What an officer writes for each indicator and level (annex wording, shortened). */
export const CONDUCT: Record<string, Partial<Record<DishonestyLevel, string>>> = {
  '1.1': {
    GENERAL: '年度计划用水申报量与上年实际用水量相差30%以上，已按要求整改',
    SERIOUS: '未按规定申报年度计划用水，被处以罚款，已整改',
    SEVERE: '未申报年度计划用水且与取水许可不符，被处以罚款，逾期未整改',
  },
  '1.2': {
    GENERAL: '实际用水量超计划用水量（30%以内），已累进加价并整改',
    SERIOUS: '无用水计划取水，被处以罚款，已按时整改',
    SEVERE: '无证、无计划取水，被处以罚款，未按时整改',
  },
  '1.3': {
    GENERAL: '未能按时提供用水原始记录和统计台账，已整改',
    SERIOUS: '未能提供用水原始记录和统计台账，被处以罚款，已整改',
    SEVERE: '伪造用水原始记录，被处以罚款，未整改',
  },
  '2.1': {
    GENERAL: '三级计量安装率未达100%，已整改',
    SERIOUS: '未安装取用水计量设施，被处以罚款，已整改',
    SEVERE: '未安装取用水计量设施，被处以罚款，逾期未整改',
  },
  '2.2': {
    GENERAL: '计量器具检定证书过期，未定期维护，已整改',
    SERIOUS: '计量设施不合格、不能正常运行，被处以罚款，已整改',
    SEVERE: '计量设施不能正常运行，被处以罚款，逾期未整改',
  },
  '2.3': {
    GENERAL: '在线计量设备数据传输率未达要求，已整改',
    SERIOUS: '在线计量设备未与水行政主管部门联网，被处以罚款，已整改',
    SEVERE: '在线计量设备未联网，被处以罚款，逾期未整改',
  },
  '3.1': { GENERAL: '未落实节水设施“三同时”制度，已整改', SERIOUS: '已建节水设施停止使用，被处以罚款' },
  '4.1': { GENERAL: '未按规定时间开展水平衡测试，已整改', SERIOUS: '逾期未开展水平衡测试，被处以罚款' },
  '5.1': { GENERAL: '年度取水情况报送迟延，已整改', SERIOUS: '未报送年度取水情况，被处以罚款，已整改', SEVERE: '未报送年度取水情况，被处以罚款，逾期未整改' },
  '5.2': { GENERAL: '不配合监督检查，已整改', SERIOUS: '拒绝监督检查，被处以罚款，已整改', SEVERE: '监督检查中弄虚作假，被处以罚款，逾期未整改' },
};
export const LEVEL_ZH: Record<DishonestyLevel, string> = { GENERAL: '一般失信', SERIOUS: '较重失信', SEVERE: '严重失信' };
export const HONOR_TITLES: Record<Exclude<HonorLevel, 'COUNTY'>, string[]> = {
  MUNICIPAL: ['节水型企业（市级）', '承德市节水标杆企业', '承德市节水型单位'],
  PROVINCIAL: ['河北省节水型企业', '河北省重点用水企业水效领跑者'],
  NATIONAL: ['国家重点用水企业水效领跑者', '全国节水型企业'],
};
