-- severity: error
-- Order lines shipped before they were ordered: a date swapped or mistyped in the source.
select orderNumber, orderLineNumber, orderDate, shippedDate
from fact_orders
where shippedDate < orderDate
