"""Service plans and planned contacts (客户服务计划, 计划拜访)."""
