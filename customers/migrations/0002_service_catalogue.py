from django.db import migrations

# Seed 003, 物流服务内容: four categories and their items.
CATALOGUE = {
    "transport": [
        ("upstream-supply", "上游供应端供货运输"),
        ("downstream-delivery", "下游客户端送货运输"),
        ("network-design", "运输网络最佳设计"),
        ("fleet-management", "运输部门管理"),
        ("freight-forwarding", "货运承揽"),
        ("customs", "通关服务"),
    ],
    "warehousing": [
        ("consolidation", "并装与配送"),
        ("storage-processing", "保管与加工"),
        ("returns", "回收处理"),
        ("cross-docking", "越库作业"),
        ("picking", "拣货"),
        ("inventory", "存货管理"),
        ("warehouse-network", "仓储网络设计"),
        ("quality-inspection", "品质检验"),
        ("packaging", "包装"),
        ("value-added-processing", "流通加工"),
    ],
    "information": [
        ("order-processing", "订单处理"),
        ("demand-forecasting", "供需预测"),
        ("erp", "公司资源规划"),
        ("e-commerce", "电子商务"),
        ("market-intelligence", "市场与顾客情报"),
    ],
    "financial": [
        ("receivables", "应收款管理"),
        ("vendor-managed-inventory", "卖方代管存货"),
    ],
}


def load(apps, schema_editor):
    LogisticsService = apps.get_model("customers", "LogisticsService")
    for category, items in CATALOGUE.items():
        for order, (code, name) in enumerate(items, start=1):
            LogisticsService.objects.update_or_create(
                code=code, defaults={"category": category, "name": name, "order": order}
            )


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
