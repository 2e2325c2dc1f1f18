import type { TableDef, Writer } from "../../domain/dictionary.ts";
import { definitionWriter, operationWriter } from "../scripted-rest/ws-writers.ts";
import { customTableWriter, dictionaryEntryWriter } from "./custom-table-writers.ts";
import { genericWriter, oauthEntityWriter, type RecordWriter } from "./record-writers.ts";
import { transformEntryWriter, transformMapWriter } from "./transform-map-writers.ts";

/** Which writer a table's records go through: shared by the Table API and the scripts' data API. */
const writers: Record<Writer, RecordWriter> = {
  generic: genericWriter,
  oauth_entity: oauthEntityWriter,
  sys_db_object: customTableWriter,
  sys_dictionary: dictionaryEntryWriter,
  sys_ws_definition: definitionWriter,
  sys_ws_operation: operationWriter,
  sys_transform_map: transformMapWriter,
  sys_transform_entry: transformEntryWriter,
};

export const writerOf = (table: TableDef): RecordWriter => writers[table.writer];
