/** Name, street and nationality pools for synthetic Chilean records (common names, not real people). */

export const GIVEN_NAMES_F = [
  'Sofía', 'Isidora', 'Florencia', 'Agustina', 'Emilia', 'Josefa', 'Antonella', 'Trinidad', 'Martina', 'Catalina',
  'Valentina', 'Maite', 'Amanda', 'Ignacia', 'Fernanda', 'Javiera', 'Constanza', 'María José', 'Renata', 'Julieta',
  'Rayén', 'Ayelén', 'Millaray', 'Daniela', 'Camila', 'Francisca', 'Belén', 'Paz', 'Colomba', 'Aurora',
] as const;

export const GIVEN_NAMES_M = [
  'Agustín', 'Mateo', 'Benjamín', 'Vicente', 'Martín', 'Matías', 'Joaquín', 'Tomás', 'Maximiliano', 'Lucas',
  'Gaspar', 'Santiago', 'Cristóbal', 'José Tomás', 'Felipe', 'Diego', 'Ignacio', 'Bastián', 'Alonso', 'Facundo',
  'Lautaro', 'Nahuel', 'Ñancupil', 'Renato', 'Maximiliano José', 'Emiliano', 'Thiago', 'Julián', 'León', 'Simón',
] as const;

export const SURNAMES = [
  'González', 'Muñoz', 'Rojas', 'Díaz', 'Pérez', 'Soto', 'Contreras', 'Silva', 'Martínez', 'Sepúlveda',
  'Morales', 'Rodríguez', 'López', 'Fuentes', 'Hernández', 'Torres', 'Araya', 'Flores', 'Espinoza', 'Valenzuela',
  'Castillo', 'Tapia', 'Reyes', 'Gutiérrez', 'Castro', 'Pizarro', 'Álvarez', 'Vásquez', 'Sánchez', 'Fernández',
  'Ramírez', 'Carrasco', 'Gómez', 'Cortés', 'Herrera', 'Núñez', 'Jara', 'Vergara', 'Rivera', 'Figueroa',
  'Riquelme', 'García', 'Miranda', 'Bravo', 'Vera', 'Molina', 'Vega', 'Campos', 'Sandoval', 'Orellana',
  'Cárdenas', 'Olivares', 'Alarcón', 'Gallardo', 'Ortiz', 'Garrido', 'Salazar', 'Guzmán', 'Henríquez', 'Saavedra',
] as const;

export const MAPUCHE_SURNAMES = [
  'Huenchullán', 'Millapán', 'Painemal', 'Catrileo', 'Ñancupil', 'Huaiquimil', 'Lefiñir', 'Curiñir', 'Quilaqueo',
  'Antileo', 'Marileo', 'Llancapán',
] as const;

export const MIGRANT_NATIONALITIES = ['Venezolana', 'Peruana', 'Haitiana', 'Colombiana', 'Boliviana'] as const;

export const STREETS = [
  "Av. Libertador Bernardo O'Higgins", 'Pasaje Los Aromos', 'Calle Esmeralda', 'Av. Vicuña Mackenna',
  'Pasaje El Peñón', 'Calle Arturo Prat', 'Villa Los Héroes, Pasaje 4', 'Población La Bandera, Calle 12',
  'Av. Los Carrera', 'Calle Baquedano', 'Pasaje Ñandú', 'Camino Rural Km 3', 'Calle San Martín',
  'Av. Pedro de Valdivia', 'Pasaje Caupolicán', 'Calle Freire', 'Villa Esperanza, Block 7', 'Calle Maipú',
] as const;
