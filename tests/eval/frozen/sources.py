"""Published values and headers the frozen part is built from, with where each came from.

Nothing here is personal data: the stations and hospitals are public facilities, the two ID
numbers are published as test data by their projects, and the headers are field names of
published systems. Each source id below is what a frozen column records in its ``source`` field.
"""

from __future__ import annotations

import csv
import io

#: Source id → where it was read (repository and path, or standard).
SOURCES: dict[str, str] = {
    "cnemc-sites": "liujun2024/TrajRF NewSiteList.csv (CNEMC national air-quality monitoring"
    " sites: 监测点编码,监测点名称,城市,经度,纬度,对照点)",
    "hz-hospitals": "SYSU-AIlab/Crimson-Diary pages/call/call.js (Hangzhou hospitals:"
    " hospital_name, hospital_address, phone_number, hospital_grade)",
    "rs-ac01": "asengine/ng-sqjyw src/app/core/models/shehuibaoxian/renyuanjiben.ts (人社 AC01:"
    " AAC002 身份证号, AAC003 姓名, AAC004 性别, AAC006 出生日期, AAC067 移动电话, AAE006"
    " 常住地地址, AAC010 户籍地址)",
    "rs-userinfo": "cdxibao/Palm app/src/main/java/org/kteam/palm/model/UserInfo.java (aae005"
    " 联系电话, aab004 单位名称)",
    "rs-jfxx": "penngChen/jxsw-platform src/main/java/com/tzsw/model/JFXX102.java (职工个人缴费"
    " 明细: AAC040 工资, AAE180 人员缴费基数, AAE082 个人实缴金额, AAE003 对应费款所属期, AAE140"
    " 险种类型, AAB001 单位编号)",
    "his-basy": "rw-bsoft/his ssdev-platform/.../emr/schemas/EMR_BASY_SB.sc (住院病案首页, WS 445"
    " 病历概要 data elements: BRXM 姓名, SFZJHM 身份证号, CSRQ 出生日期, XZZ 现住址, DH 电话, HKDZ"
    " 户口地址, MJZZD 门急诊诊断, BAH 病案号, RYRQ 入院日期)",
    "loan-jkr": "jkrxm 借款人姓名 / jkrsfzh 借款人身份证号 / jkje 借款金额 / jkrsjh in public"
    " loan-platform code found by exact search (find_string jkrsfzh)",
    "bdc-fdcq": "xzpenghao/pointtopoint .../entity/DirectFDCQ.java (不动产 房地产权: fdzl 房地坐落,"
    " bdcqzh 不动产权证号, qlrdh 权利人电话, tdsyqr 土地使用权人)",
    "p2p-cjr": "wang-shun/rainiee-core .../entity/CjrList.java (出借人列表: realName 真实姓名(若是"
    "企业，则是法人姓名), card 身份证号码, cjje 借出金额)",
    "ent-amaze": "gujishiqi/Amaze_Api shu-ju-ci-dian/qi-ye-xin-xi.md (企业信息: name, registry,"
    " legalRepresentative, registeredCapital, establishmentDate, unifiedSocialCreditCode,"
    " businessScope, address, operatingStatus)",
    "ent-gsxt": "全国企业信用信息公示系统 field names (企业名称, 注册号, 法定代表人, 登记机关,"
    " 成立日期) as in the NationalEntBaseInfo interface found by code search",
    "guardian-jhr": "jhrxm 监护人姓名 / jhrlxfs 监护人联系方式 / CJHRSFZH 监护人身份证号 in"
    " public registration code found by exact search (find_string jhrxm)",
    "vaccination-en": "childName / vaccineName / guardian phone fields of public vaccination"
    " record models found by code search",
    "id-validator": "13053519860730352X: feiyizhan id-validator IdCardUtilsTests;"
    " 612525199606069135: wont-org/utils src/isIdCard/isIdCard.ts example",
    "faker-zh_CN": "Faker 40 zh_CN provider, seeds of the frozen part (not the dev seeds)",
    "faker-zh_TW": "Faker 40 zh_TW provider (traditional-character names, Taiwan addresses)",
    "synthetic": "generated in tests/eval/frozen/generate.py",
}

#: Published ID numbers of other projects' tests, not used by the dev part.
PUBLIC_ID_NUMBERS: tuple[str, ...] = ("13053519860730352X", "612525199606069135")

# Rows of NewSiteList.csv (cnemc-sites), cities the dev part does not use; two rows without
# coordinates are kept as published.
_SITES = """\
1141A,普陀,上海,121.4,31.238
1142A,十五厂,上海,121.478,31.2036
1143A,虹口,上海,121.467,31.3008
1144A,徐汇上师大,上海,121.412,31.1654
1145A,杨浦四漂,上海,121.536,31.2659
1146A,青浦淀山湖(对照点),上海,120.978,31.0935
1147A,静安监测站,上海,121.425,31.2261
1148A,浦东川沙,上海,121.703,31.1907
1149A,浦东新区监测站,上海,121.533,31.2284
1150A,浦东张江,上海,121.577,31.2071
1151A,迈皋桥,南京,118.8086,32.1065
1152A,草场门,南京,118.7538,32.0551
1153A,山西路,南京,118.7794,32.0745
1154A,中华门,南京,118.7752,32.0023
1155A,瑞金路,南京,118.8109,32.0309
1156A,玄武湖,南京,118.7997,32.0754
1157A,浦口,南京,118.6414,32.0931
1158A,奥体中心,南京,118.7356,31.9996
1159A,仙林大学城,南京,118.9125,32.1028
1160A,上方山(对照点),苏州,120.561,31.2472
1161A,南门,苏州,120.628,31.2864
1162A,彩香,苏州,120.591,31.3019
1163A,轧钢厂,苏州,120.596,31.3264
1164A,吴中区,苏州,120.613,31.2703
1165A,苏州新区,苏州,120.543,31.2994
1166A,苏州工业园区,苏州,120.669,31.3097
1167A,相城区,苏州,120.641,31.3708
1202A,环境监测站,镇江,,
1203A,新区办事处,镇江,119.6707,32.1875
1204A,职教中心,镇江,119.4974,32.1968
1205A,丹徒区监测站,镇江,119.4303,32.1328
1223A,滨江,杭州,120.2072,30.2111
1224A,西溪,杭州,120.0633,30.2747
1225A,千岛湖(对照点),杭州,119.026,29.635
1226A,下沙,杭州,120.3461,30.3153
1227A,卧龙桥,杭州,120.1269,30.2456
1228A,浙江农大,杭州,120.1903,30.2692
1229A,朝晖五区,杭州,120.157,30.2897
1230A,和睦小学,杭州,120.1197,30.3119
1231A,临平镇,杭州,120.3019,30.4183
1232A,城厢镇,杭州,120.2697,30.1819
1233A,云栖,杭州,120.0883,30.1808
1254A,监测站,嘉兴,,
1270A,明珠广场,合肥,117.1959,31.7848
1271A,三里街,合肥,117.3072,31.8764
1272A,琥珀山庄,合肥,117.2588,31.8707
1273A,董铺水库(对照点),合肥,117.1604,31.9052
1274A,长江中路,合肥,117.25,31.8571
1275A,庐阳区,合肥,117.266,31.9436
1276A,瑶海区,合肥,117.336,31.8586
1277A,包河区,合肥,117.3027,31.7964
1278A,滨湖新区,合肥,117.2776,31.7385
1279A,高新区,合肥,117.1318,31.8403
1280A,鼓山(对照点),福州,119.3903,26.0543
1281A,快安,福州,119.414,26.0258
1282A,师大,福州,119.2681,26.0504
1283A,五四北路,福州,119.2984,26.1028
1284A,杨桥西路,福州,119.2648,26.0768
1285A,紫阳,福州,119.317,26.0746
1299A,科干所,济南,116.9862,36.6114
1300A,农科所,济南,116.9376,36.665
1301A,开发区,济南,117.1265,36.6734
1302A,济南化工厂,济南,116.989,36.6872
1303A,省种子仓库,济南,117.0624,36.6868
1304A,机床二厂,济南,116.9489,36.6447
1305A,市监测站,济南,117.0495,36.663
1306A,长清党校,济南,116.7675,36.5484
1307A,仰口(对照点),青岛,120.6659,36.2403
1308A,李沧区子站,青岛,120.3905,36.1851
1309A,市北区子站,青岛,120.3471,36.0699
1310A,市南区东部子站,青岛,120.4134,36.0658
1316A,烟厂,郑州,113.69031,34.76122
1317A,郑纺机,郑州,113.65724,34.77134
1318A,银行学校,郑州,113.67526,34.80246
1319A,供水公司,郑州,113.56746,34.81334
1320A,经开区管委,郑州,113.7329,34.7178
1321A,四十七中,郑州,113.73961,34.77172
1322A,市监测站,郑州,113.60532,34.74838
1323A,河医大,郑州,113.64164,34.7525
1324A,岗李水库(对照点),郑州,113.51488,34.91089
"""

# Rows of call.js (hz-hospitals): name|address|switchboard as published (several numbers run
# together or separated by "，" where the source has them so; None where it has NaN).
_HOSPITALS = """\
浙江医科大学附属妇产科医院|浙江省杭州市上城区学士路2号|0571-87061501
浙江医科大学附属第二医院|浙江省杭州市上城区解放路68号|0571-87077272
浙江省中医医院|浙江省杭州市上城区邮电路54号|0571-87068001
浙江大学医学院附属第一医院城站院区|浙江省杭州市上城区城站路58号|0571-56181000
杭州市第四人民医院|浙江省杭州市上城区严官巷34号|0571-86052324
上城区中医医院|浙江省杭州市上城区河坊街413号|0571-87021506
上城区中西医结合医院|浙江省杭州市上城区南星桥统一码头98号|0571-86068986
杭州市卫生研究所|浙江省杭州市上城区长生路26号|0571-87062766，0571-85459796
杭州玛莉亚妇女医院|浙江省杭州市上城区秋涛路300号|0571-86521200
杭州市上城区妇幼保健院|浙江省杭州市上城区江城路417号|0571-86071576
杭州第四医院|浙江省杭州市上城区严官巷34号|0571-86059888
浙益眼科诊疗中心|浙江省杭州市上城区庆春路|0571-87214082
杭州推拿医院|浙江省杭州市上城区解放路229号|0571-87066503，0571-87027657，0571-87919671
杭州市小营医院|浙江省杭州市上城区解放路6264号|
浙江大学医学院附属儿童医院|浙江省杭州市下城区竹竿巷57号|0571-87061007
杭州市第六人民医院|浙江省杭州市下城区文晖路201号|0571-85463999，0571-85463993
杭州建国医院|浙江省杭州市下城区建国北路149号|0571-87291999
杭州红房子医院|浙江省杭州市下城区体育场路286号武林广场东200米|0571-28189999
杭州市传染病院|浙江省杭州市下城区朝晖二小区|0571-85451901
浙江省乔司监狱医院|浙江省杭州市下沙经济技术开发区星野花苑|0571-86931906
临安市人民医院|浙江省杭州市临安市衣锦街548号|0571-63722093，0571-63732608
临安市中医院|浙江省杭州市临安市锦城街道城中街8号|057163723593，0571-63732461，0571-63737120
临安市昌化人民医院|浙江省杭州市临安市昌化镇西大街|0571-63661319
临安市昌北人民医院|浙江省杭州市临安市岛石|0571-63636011
临安市妇幼保健所|浙江省杭州市临安市锦城街道江南路25号|0571-63721853
临安市结核病防治所|浙江省杭州市临安市玲珑街道石山村|0571-63722692
临安市锦城镇医院|浙江省杭州市临安市临水路85号|0571-63721096
临安市精神病防治站|浙江省杭州市临安市|0571-63701536
杭州市余杭区中医院|浙江省杭州市余杭区塘栖镇致和堂街100号|0571-86372126
杭州师范学院附属医院|浙江省杭州市余杭区临平镇保健路28号|0571-86224254
杭州市余杭区区第二人民医院|浙江省杭州市余杭区车站路16号|0571-88662274
杭州市公安局安康医院|浙江省杭州市余杭区安溪乡下溪湾|0571-88846419，0571-88797178
杭州市余杭区妇幼保健院|浙江省杭州市余杭区人民大道359号|0571-86224052，0571-86221964
杭州市余杭区第三人民医院|浙江省杭州市余杭区大桥北路88号|0571-88541144，0571-88541747
杭州市余杭区第五人民医院|浙江省杭州市余杭区广和街|0571-86222034
杭州市余杭区第四人民医院|浙江省杭州市余杭区三墩镇五里塘30号|0571-88551125
富阳市人民医院|浙江省杭州市富阳市富阳镇桂花路4号|0571-63353120，0571-63345666
富阳市第二人民医院|浙江省杭州市富阳市新登镇城北路71号|0571-63251244
富阳市中医骨伤科医院|浙江省杭州市富阳市富阳镇桂花西路63号|0571-63326240，0571-63324728
富阳市中医院|浙江省杭州市富阳市富阳镇北门路4号|0571-63323881，0571-63325656
富阳市第三人民医院富阳市精神病防治院|浙江省杭州市富阳市高桥镇高桥东路8号|0571-63435838
富阳市妇幼保健院|浙江省杭州市富阳市横凉亭路25号|0571-63369668，0571-63383276
富阳中医骨病医院|浙江省杭州市富阳市巨利路23号|0571-63328278，0571-63370024
富阳市结核病防治所|浙江省杭州市富阳市春秋北路43号|
富阳市肿瘤康复医院|浙江省杭州市富阳市鹿山街道办事处旁|0571-63485029，0571-63485159
建德市第四人民医院|浙江省杭州市建德市寿昌镇城东|0571-64561752
建德市第三人民医院|浙江省杭州市建德市寿昌镇中山中路167号|0571-64561713
建德市中医院|浙江省杭州市建德市健康北路1号|0571-64721341，0571-64721065
建德市第二人民医院|浙江省杭州市建德市梅城镇总府街223号|0571-64140024
建德市第一人民医院|浙江省杭州市建德市新安江街道严州大道599号|0571-64721520，0571-64796601
"""


def air_sites() -> list[tuple[str, str, str, str | None, str | None]]:
    """(code, name, city, longitude, latitude) of the published monitoring sites."""
    rows = csv.reader(io.StringIO(_SITES))
    return [(c, n, city, lon or None, lat or None) for c, n, city, lon, lat in rows]


def hospitals() -> list[tuple[str, str, str | None]]:
    """(name, address, switchboard) of the published hospitals."""
    out: list[tuple[str, str, str | None]] = []
    for line in _HOSPITALS.splitlines():
        name, address, phone = line.split("|")
        out.append((name, address, phone or None))
    return out
